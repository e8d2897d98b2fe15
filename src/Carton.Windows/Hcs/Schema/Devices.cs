// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "Devices" (the subset a Windows utility VM uses): SCSI controllers, virtual SMB and HvSocket.</summary>
public sealed class Devices
{
    /// <summary>SCSI controllers, by controller GUID or name.</summary>
    public Dictionary<string, Scsi>? Scsi { get; set; }

    /// <summary>Virtual SMB (VSMB) shares.</summary>
    public VirtualSmb? VirtualSmb { get; set; }

    /// <summary>HvSocket configuration.</summary>
    public HvSocket2? HvSocket { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
