using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Carton.Compute.Windows.Tests.Schema;

/// <summary>Round-trip helpers: read a hand-written document into the schema type, write it back, compare structurally.</summary>
internal static class SchemaJson
{
    public static T Read<T>(string json, JsonTypeInfo<T> type) => JsonSerializer.Deserialize(json, type)!;

    public static string Write<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.Serialize(value, type);

    /// <summary>Reads <paramref name="json"/>, writes it back and asserts the two documents are the same JSON.</summary>
    public static T AssertRoundTrips<T>(string json, JsonTypeInfo<T> type)
    {
        var value = Read(json, type);
        AssertSameJson(json, Write(value, type));
        return value;
    }

    public static void AssertSameJson(string expected, string actual)
    {
        var e = JsonNode.Parse(expected);
        var a = JsonNode.Parse(actual);
        Assert.True(JsonNode.DeepEquals(e, a), $"expected:\n{e?.ToJsonString()}\nactual:\n{a?.ToJsonString()}");
    }
}
