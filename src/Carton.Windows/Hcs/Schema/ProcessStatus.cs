// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "ProcessStatus": a process's state (HcsGetProcessProperties).</summary>
public sealed class ProcessStatus
{
    /// <summary>The process id.</summary>
    public uint? ProcessId { get; set; }

    /// <summary>Whether it has exited.</summary>
    public bool? Exited { get; set; }

    /// <summary>Its exit code, once exited.</summary>
    public uint? ExitCode { get; set; }

    /// <summary>The result of the last wait on it.</summary>
    public int? LastWaitResult { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
