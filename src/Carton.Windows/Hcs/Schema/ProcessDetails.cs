// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "ProcessDetails": one process of a container (the ProcessList property).</summary>
public sealed class ProcessDetails
{
    /// <summary>The process id.</summary>
    public uint? ProcessId { get; set; }

    /// <summary>The executable's name.</summary>
    public string? ImageName { get; set; }

    /// <summary>When it was created.</summary>
    public DateTime? CreateTimestamp { get; set; }

    /// <summary>User time, in 100 ns.</summary>
    public ulong? UserTime100ns { get; set; }

    /// <summary>Kernel time, in 100 ns.</summary>
    public ulong? KernelTime100ns { get; set; }

    /// <summary>Committed memory.</summary>
    public ulong? MemoryCommitBytes { get; set; }

    /// <summary>Private working set.</summary>
    public ulong? MemoryWorkingSetPrivateBytes { get; set; }

    /// <summary>Shared working set.</summary>
    public ulong? MemoryWorkingSetSharedBytes { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
