// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "Attachment": a disk on a SCSI controller (the subset a utility VM uses).</summary>
public sealed class Attachment
{
    /// <summary>"VirtualDisk", "PassThru", ...</summary>
    public string? Type { get; set; }

    /// <summary>The disk's path on the host.</summary>
    public string? Path { get; set; }

    /// <summary>Whether flushes are ignored.</summary>
    public bool? IgnoreFlushes { get; set; }

    /// <summary>Caching mode.</summary>
    public string? CachingMode { get; set; }

    /// <summary>Whether the disk is read-only.</summary>
    public bool? ReadOnly { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
