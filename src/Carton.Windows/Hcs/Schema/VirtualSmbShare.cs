// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "VirtualSmbShare": a host folder shared into a VM.</summary>
public sealed class VirtualSmbShare
{
    /// <summary>The share name in the guest.</summary>
    public string? Name { get; set; }

    /// <summary>The host folder.</summary>
    public string? Path { get; set; }

    /// <summary>The files that may be opened, if restricted.</summary>
    public List<string>? AllowedFiles { get; set; }

    /// <summary>Share options (ReadOnly, TakeBackupPrivilege, ...), kept as JSON.</summary>
    public JsonElement? Options { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
