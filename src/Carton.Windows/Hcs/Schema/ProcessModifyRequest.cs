// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "ProcessModifyRequest": the document HcsModifyProcess takes (resize the console, close stdin).</summary>
public sealed class ProcessModifyRequest
{
    /// <summary>"ConsoleSize" or "CloseHandle" (see <see cref="ProcessModifyOperation"/>).</summary>
    public string? Operation { get; set; }

    /// <summary>The new size, with Operation ConsoleSize.</summary>
    public ConsoleSize? ConsoleSize { get; set; }

    /// <summary>The handle to close, with Operation CloseHandle.</summary>
    public CloseHandle? CloseHandle { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
