// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "Uefi": a VM's UEFI firmware settings.</summary>
public sealed class Uefi
{
    /// <summary>Whether the UEFI debugger is on.</summary>
    public bool? EnableDebugger { get; set; }

    /// <summary>"Skip" or "Apply".</summary>
    public string? ApplySecureBootTemplate { get; set; }

    /// <summary>The secure boot template GUID.</summary>
    public string? SecureBootTemplateId { get; set; }

    /// <summary>The entry to boot.</summary>
    public UefiBootEntry? BootThis { get; set; }

    /// <summary>The console ("Default", "ComPort1", ...).</summary>
    public string? Console { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
