using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

/// <summary>process.oomScoreAdj, noNewPrivileges, user.umask, cwd, capabilities.</summary>
public sealed class ProcessConfigTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    [Fact]
    public void OomScoreAdj_NoNewPrivs_Umask_Cwd()
    {
        Bundle.SetProcess("oomScoreAdj", 500);
        Bundle.SetProcess("noNewPrivileges", true);
        Bundle.SetProcess("cwd", "/tmp");
        Bundle.Mutate(_ => ((JsonObject)Bundle.Process["user"]!)["umask"] = 63);
        Bundle.SetShell("echo oom=$(cat /proc/self/oom_score_adj); echo nnp=$(grep NoNewPrivs /proc/self/status | cut -f2); echo umask=$(umask); echo pwd=$(pwd)");
        var r = RunOk("process options");
        var kv = KeyValues(r.Stdout);
        Assert.True(kv.GetValueOrDefault("oom") == "500", $"oom_score_adj:\n{r}");
        Assert.True(kv.GetValueOrDefault("nnp") == "1", $"NoNewPrivs:\n{r}");
        Assert.True(kv.GetValueOrDefault("umask") == "0077", $"umask:\n{r}");
        Assert.True(kv.GetValueOrDefault("pwd") == "/tmp", $"cwd:\n{r}");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void NoNewPrivilegesFalse_NotSet()
    {
        Bundle.SetProcess("noNewPrivileges", false);
        Bundle.SetShell("echo nnp=$(grep NoNewPrivs /proc/self/status | cut -f2)");
        var r = RunOk("noNewPrivileges=false");
        Assert.Equal("nnp=0\n", r.Stdout);
        Env.AssertNoLeaks();
    }

    /// <summary>runc creates a missing process.cwd inside the rootfs (the spec does not require it; runc-compatibility).</summary>
    [Fact]
    public void Cwd_Missing_CreatedLikeRunc()
    {
        Bundle.SetProcess("cwd", "/does/not/exist");
        Bundle.SetRoot("readonly", false);
        Bundle.SetShell("pwd");
        var (actual, reference) = RunBoth();
        AssertSameOutput(actual, reference);
        Env.AssertNoLeaks();
    }

    public static TheoryData<string> CapUsers => ["root", "user1000"];

    /// <summary>Each capability set different; Cap* lines compared with the reference runtime and with the expected masks.</summary>
    [Theory]
    [MemberData(nameof(CapUsers))]
    public void Capabilities_DistinctSets_MatchReference(string user)
    {
        var bounding = new[] { "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_KILL", "CAP_SETUID", "CAP_SETGID", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SYS_CHROOT" };
        var permitted = new[] { "CAP_CHOWN", "CAP_KILL", "CAP_SETUID", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW" };
        var effective = new[] { "CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW" };
        var inheritable = new[] { "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT" };
        var ambient = new[] { "CAP_KILL", "CAP_NET_BIND_SERVICE" };
        Bundle.SetProcess("capabilities", new JsonObject
        {
            ["bounding"] = Bundle.ToArray(bounding),
            ["effective"] = Bundle.ToArray(effective),
            ["permitted"] = Bundle.ToArray(permitted),
            ["inheritable"] = Bundle.ToArray(inheritable),
            ["ambient"] = Bundle.ToArray(ambient),
        });
        Bundle.SetProcess("noNewPrivileges", false);
        if (user == "user1000")
        {
            Bundle.SetUser(1000, 1000);
        }
        Bundle.SetShell("grep -E '^Cap(Bnd|Eff|Prm|Inh|Amb)' /proc/self/status");
        var (actual, reference) = RunBoth();
        AssertSameOutput(actual, reference);

        var caps = actual.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(l => l.Split(':')[0], l => Convert.ToUInt64(l.Split(':')[1].Trim(), 16));
        Assert.Equal(Mask(bounding), caps["CapBnd"]);
        Assert.Equal(Mask(inheritable), caps["CapInh"]);
        Assert.Equal(Mask(ambient), caps["CapAmb"]);
        if (user == "user1000")
        {
            // Non-root execve without file caps: permitted = effective = ambient.
            Assert.Equal(Mask(ambient), caps["CapPrm"]);
            Assert.Equal(Mask(ambient), caps["CapEff"]);
        }
        Env.AssertNoLeaks();
    }

    private static ulong Mask(IEnumerable<string> caps) => caps.Aggregate(0UL, (m, c) => m | (1UL << CapNumber(c)));

    private static int CapNumber(string cap) => cap switch
    {
        "CAP_CHOWN" => 0,
        "CAP_DAC_OVERRIDE" => 1,
        "CAP_KILL" => 5,
        "CAP_SETGID" => 6,
        "CAP_SETUID" => 7,
        "CAP_NET_BIND_SERVICE" => 10,
        "CAP_NET_RAW" => 13,
        "CAP_SYS_CHROOT" => 18,
        _ => throw new ArgumentOutOfRangeException(nameof(cap), cap, null),
    };
}
