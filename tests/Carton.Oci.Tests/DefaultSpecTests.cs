using System.Text.Json.Nodes;

namespace Carton.Oci.Tests;

/// <summary>
/// testdata/runc-spec*.json are verbatim output of `runc spec` / `runc spec --rootless`
/// (runc 1.1.5, run as root so uid/gid mappings use hostID 0).
/// </summary>
public class DefaultSpecTests
{
    private static void AssertMatchesRunc(string file, Spec spec)
    {
        var expected = JsonNode.Parse(File.ReadAllText(TestHelpers.TestData(file)))!.AsObject();
        var actual = JsonNode.Parse(TestHelpers.Serialize(spec))!.AsObject();
        Assert.Equal("1.3.0", actual["ociVersion"]!.GetValue<string>());
        expected.Remove("ociVersion");
        actual.Remove("ociVersion");
        TestHelpers.AssertJsonEqual(expected.ToJsonString(), actual.ToJsonString());
    }

    [Fact]
    public void Default_MatchesRuncSpec() => AssertMatchesRunc("runc-spec.json", DefaultSpec.Create(false));

    [Fact]
    public void Rootless_MatchesRuncSpecRootless() => AssertMatchesRunc("runc-spec-rootless.json", DefaultSpec.Create(true, 0, 0));

    [Fact]
    public void Rootless_MapsRootToGivenIds()
    {
        var s = DefaultSpec.Create(true, 1000, 1001);
        Assert.Equal(1000u, Assert.Single(s.Linux!.UidMappings!).HostID);
        Assert.Equal(1001u, Assert.Single(s.Linux.GidMappings!).HostID);
        Assert.Null(s.Linux.Resources);
        Assert.DoesNotContain(s.Linux.Namespaces!, n => n.Type == "network");
    }

    [Fact]
    public void Create_ReturnsIndependentInstances()
    {
        var a = DefaultSpec.Create(false);
        a.Process!.Capabilities!.Bounding!.Add("CAP_SYS_ADMIN");
        var b = DefaultSpec.Create(false);
        Assert.Equal(3, b.Process!.Capabilities!.Bounding!.Count);
        Assert.Equal(3, a.Process.Capabilities.Effective!.Count);
    }
}
