using System.Text.Json;
using System.Text.Json.Nodes;

namespace Carton.Oci.Tests;

internal static class TestHelpers
{
    public static string Serialize(Spec spec) => JsonSerializer.Serialize(spec, OciJsonContext.Default.Spec);

    public static Spec Deserialize(string json) => JsonSerializer.Deserialize(json, OciJsonContext.Default.Spec)!;

    public static string TestData(string name) => Path.Combine(AppContext.BaseDirectory, "testdata", name);

    public static void AssertJsonEqual(string expected, string actual)
    {
        var e = JsonNode.Parse(expected);
        var a = JsonNode.Parse(actual);
        Assert.True(JsonNode.DeepEquals(e, a), $"JSON differs.\nExpected:\n{e?.ToJsonString()}\nActual:\n{a?.ToJsonString()}");
    }

    /// <summary>A temp directory deleted on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("carton-oci-test-").FullName;
        public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
    }
}
