// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "ConsoleSize": a console's size in characters (HcsModifyProcess).</summary>
public sealed class ConsoleSize
{
    /// <summary>Rows.</summary>
    public ushort? Height { get; set; }

    /// <summary>Columns.</summary>
    public ushort? Width { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
