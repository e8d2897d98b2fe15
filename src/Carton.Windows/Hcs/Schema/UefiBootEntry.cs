// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "UefiBootEntry": what a VM boots (a WCOW utility VM boots bootmgfw.efi from VmbFs).</summary>
public sealed class UefiBootEntry
{
    /// <summary>"ScsiDrive", "VmbFs", "Network" or "File".</summary>
    public string? DeviceType { get; set; }

    /// <summary>The path of the boot file on the device.</summary>
    public string? DevicePath { get; set; }

    /// <summary>The disk (ScsiDrive).</summary>
    public int? DiskNumber { get; set; }

    /// <summary>Arguments to the boot file.</summary>
    public string? OptionalData { get; set; }

    /// <summary>The host folder served over VmbFs.</summary>
    public string? VmbFsRootPath { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
