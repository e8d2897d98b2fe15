// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "HvSocketSystemConfig": the HvSocket security of a container or VM.</summary>
public sealed class HvSocketSystemConfig
{
    /// <summary>SDDL checked before a host process binds an unlisted service.</summary>
    public string? DefaultBindSecurityDescriptor { get; set; }

    /// <summary>SDDL checked before a host process connects to an unlisted service.</summary>
    public string? DefaultConnectSecurityDescriptor { get; set; }

    /// <summary>Per-service settings, by service GUID.</summary>
    public Dictionary<string, HvSocketServiceConfig>? ServiceTable { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
