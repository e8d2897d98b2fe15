using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

/// <summary>--debug writes debug lines to the --log file (runc writes its own debug lines there too).</summary>
[Collection(ContainerCollection.Name)]
public sealed class CliDebugTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    [Fact]
    public void DebugLinesGoToTheLogAsJson()
    {
        var log = Path.Combine(Bundle.Dir, "debug.log");
        Bundle.SetShell("true").Save();
        var r = Rt.Exec(["--debug", "--log", log, "--log-format", "json", "run", "--bundle", Bundle.Dir, Env.NewId()]);
        Assert.True(r.Succeeded, r.ToString());
        var lines = File.ReadAllLines(log).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Contains(lines, l => (string?)l["level"] == "debug");
        Assert.All(lines, l => Assert.False(string.IsNullOrEmpty((string?)l["msg"])));
        Assert.All(lines, l => Assert.False(string.IsNullOrEmpty((string?)l["time"])));
    }
}
