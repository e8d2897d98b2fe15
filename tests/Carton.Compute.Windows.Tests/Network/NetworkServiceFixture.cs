using System.Text.Json.Nodes;
using Carton.Network.Windows;

namespace Carton.Compute.Windows.Tests.Network;

/// <summary>A <see cref="WindowsNetworkService"/> over <see cref="FakeHostComputeNetwork"/>, with its records in a
/// temporary directory that goes with it.</summary>
internal sealed class NetworkServiceFixture : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "carton-hcn-" + Guid.NewGuid().ToString("N"));
    public FakeHostComputeNetwork Hcn { get; } = new();
    public WindowsNetworkService Service { get; }

    public NetworkServiceFixture() => Service = new WindowsNetworkService(Hcn, new WindowsNetworkServiceOptions { StateRoot = Root });

    /// <summary>The records under the state root, relative ("networks/web.json").</summary>
    public List<string> Records() =>
        [.. Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/')).Order()];

    public static void AssertSameJson(string expected, string? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual!)), $"expected\n{expected}\nactual\n{actual}");

    public void Dispose()
    {
        Service.Dispose();
        try { Directory.Delete(Root, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}
