using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;
using Carton.IntegrationTests.Tests.Exec;

namespace Carton.IntegrationTests.Tests.Security;

/// <summary>
/// CVE-2022-29162 (design.md §3.6): inheritable (and ambient) capabilities stay empty unless asked for,
/// including for `exec --cap`.
/// </summary>
public sealed class PrivilegeTests(RuntimeFixture fixture) : ExecTestBase(fixture)
{
    private static Dictionary<string, string> Caps(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim());

    [Theory]
    [InlineData]
    [InlineData("--cap", "CAP_NET_ADMIN")]
    [InlineData("--cap", "CAP_NET_ADMIN", "--cap", "CAP_SYS_ADMIN")]
    [InlineData("--cap", "CAP_NET_ADMIN", "--user", "1000:1000")]
    public void ExecCap_LeavesInheritableAndAmbientEmpty(params string[] flags)
    {
        var id = Env.NewId();
        StartSleeper(Rt, id);
        var r = ExecIn(Rt, id, flags, "grep", "^Cap", "/proc/self/status");
        Assert.True(r.Succeeded, $"exec failed:\n{r}");
        var caps = Caps(r.Stdout);
        Assert.True(caps.GetValueOrDefault("CapInh") == "0000000000000000", $"CapInh of the exec'd process is not empty:\n{r}");
        Assert.True(caps.GetValueOrDefault("CapAmb") == "0000000000000000", $"CapAmb of the exec'd process is not empty:\n{r}");
        if (flags.Contains("CAP_NET_ADMIN") && !flags.Contains("--user"))
        {
            var eff = Convert.ToUInt64(caps.GetValueOrDefault("CapEff") ?? "0", 16);
            Assert.True((eff & (1UL << 12)) != 0, $"--cap CAP_NET_ADMIN did not reach the effective set:\n{r}");
        }
        DeleteAndCheckLeaks((Rt, id));
    }

    [Fact]
    public void Run_NoInheritableInConfig_InheritableEmpty()
    {
        Bundle.Mutate(_ =>
        {
            var caps = (JsonObject)Bundle.Process["capabilities"]!;
            caps.Remove("inheritable");
            caps.Remove("ambient");
        });
        Bundle.SetShell("grep -E '^Cap(Inh|Amb)' /proc/self/status");
        var r = RunOk("run without inheritable caps");
        var caps = Caps(r.Stdout);
        Assert.True(caps.GetValueOrDefault("CapInh") == "0000000000000000" && caps.GetValueOrDefault("CapAmb") == "0000000000000000",
            $"inheritable/ambient capabilities not empty:\n{r}");
        Env.AssertNoLeaks();
    }
}
