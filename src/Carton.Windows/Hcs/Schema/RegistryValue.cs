// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "RegistryValue": a value to set; exactly one of the value fields is set, as Type says.</summary>
public sealed class RegistryValue
{
    /// <summary>The key holding the value.</summary>
    public RegistryKey? Key { get; set; }

    /// <summary>The value's name.</summary>
    public string? Name { get; set; }

    /// <summary>The value type, as a string (see <see cref="RegistryValueType"/>).</summary>
    public string? Type { get; set; }

    /// <summary>The data of a String, ExpandedString or MultiString value.</summary>
    public string? StringValue { get; set; }

    /// <summary>The data of a Binary or custom-type value, base64.</summary>
    public string? BinaryValue { get; set; }

    /// <summary>The data of a DWord value.</summary>
    public uint? DWordValue { get; set; }

    /// <summary>The data of a QWord value.</summary>
    public ulong? QWordValue { get; set; }

    /// <summary>The registry type number when Type is CustomType (data in BinaryValue).</summary>
    public uint? CustomType { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
