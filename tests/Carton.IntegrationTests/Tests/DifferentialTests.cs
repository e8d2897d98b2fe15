using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

/// <summary>
/// Runs the same bundle under the runtime under test (OCI_RUNTIME) and the reference runtime
/// (DIFF_RUNTIME, default runc) and compares what the container observes, line by line.
/// </summary>
public sealed class DifferentialTests(RuntimeFixture fixture) : ContainerTestBase(fixture)
{
    // runc 1.1's default spec lists, set explicitly so both runtimes see identical configs.
    private static readonly string[] MaskedPaths =
    [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
    ];

    private static readonly string[] ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    private static readonly string[] Caps = ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"];

    private static string ProbeScript() => $$"""
        echo "== hostname"; hostname
        echo "== id"; id
        echo "== status"; cat /proc/self/status | grep -E '^(Cap|NoNewPrivs|Uid|Gid|Groups)'
        echo "== limits"; cat /proc/self/limits
        echo "== mounts"; cut -d' ' -f5 /proc/self/mountinfo | sort
        echo "== masked"
        for p in {{string.Join(" ", MaskedPaths)}}; do
          if [ -d "$p" ]; then echo "$p dir entries=$(ls -A "$p" 2>/dev/null | wc -l)";
          elif [ -e "$p" ]; then if cat "$p" >/dev/null 2>&1; then echo "$p readable len=$(cat "$p" 2>/dev/null | wc -c)"; else echo "$p unreadable"; fi;
          else echo "$p absent"; fi
        done
        echo "== readonly"
        for p in {{string.Join(" ", ReadonlyPaths)}}; do
          if [ -d "$p" ]; then t="$p/.carton-probe"; else t="$p"; fi
          if touch "$t" 2>/dev/null; then echo "$p touch-ok"; [ "$t" = "$p" ] || rm -f "$t"; else echo "$p touch-fails"; fi
        done
        echo "== dev"; ls /dev | sort
        echo "== dev-stat"; stat -c '%n %F %a %u:%g %t:%T' /dev/* | sort
        echo "== links"; for l in /dev/fd /dev/stdin /dev/stdout /dev/stderr /dev/ptmx; do echo "$l -> $(readlink $l)"; done
        echo "== oom"; cat /proc/self/oom_score_adj
        echo "== umask"; umask
        echo "== pwd"; pwd
        echo "== env"; env | sort
        """;

    public static TheoryData<string> Variants => ["default", "full"];

    [Theory]
    [MemberData(nameof(Variants))]
    public void ProbeOutputMatchesReferenceRuntime(string variant)
    {
        if (variant == "full")
        {
            ConfigureFull();
        }
        Bundle.SetShell(ProbeScript());
        CompareRuns(expectSuccess: true);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("sh", "-c", "exit 42")]
    [InlineData("echo", "a", "b  c")]
    [InlineData("sh", "-c", "echo out; echo err >&2; exit 7")]
    [InlineData("sh", "-c", "sh -c 'kill -TERM $$'; echo child=$?")]
    [InlineData("cat", "/etc/passwd")]
    // The process count is taken by the shell itself (pid 1, no fork): `ls | wc` counted the pipeline's children,
    // 2 or 3 depending on whether wc was forked before ls globbed /proc.
    [InlineData("sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; set -- /proc/[0-9]*; echo $#")]
    public void SimpleCommandMatchesReferenceRuntime(params string[] args)
    {
        Bundle.SetArgs(args);
        CompareRuns(expectSuccess: false);
    }

    private void ConfigureFull()
    {
        var data = Env.HostDir("data");
        File.WriteAllText(Path.Combine(data, "file"), "content\n");
        Bundle.SetHostname("probe-host");
        Bundle.AddBindMount(data, "/data");
        Bundle.AddMount("/scratch", "tmpfs", "tmpfs", "nosuid", "nodev", "size=1m", "mode=1777");
        Bundle.SetUser(1000, 1000, 10, 20);
        Bundle.Mutate(_ =>
        {
            Bundle.Process["rlimits"] = new JsonArray(
                new JsonObject { ["type"] = "RLIMIT_NOFILE", ["soft"] = 1024, ["hard"] = 2048 },
                new JsonObject { ["type"] = "RLIMIT_NPROC", ["soft"] = 512, ["hard"] = 1024 });
            var caps = new JsonObject();
            foreach (var set in new[] { "bounding", "effective", "permitted", "inheritable", "ambient" })
            {
                caps[set] = Bundle.ToArray(Caps);
            }
            Bundle.Process["capabilities"] = caps;
            Bundle.Linux["maskedPaths"] = Bundle.ToArray(MaskedPaths);
            Bundle.Linux["readonlyPaths"] = Bundle.ToArray(ReadonlyPaths);
        });
    }

    private void CompareRuns(bool expectSuccess)
    {
        var reference = Env.AddRuntime(Fixture.DiffRuntimePath, "diff-root");
        var actual = Rt.Exec(["run", "--bundle", Bundle.Dir, Env.NewId()]);
        var expected = reference.Exec(["run", "--bundle", Bundle.Dir, Env.NewId()]);

        if (expectSuccess)
        {
            Assert.True(expected.Succeeded, $"reference runtime failed:\n{expected}");
        }
        var diff = LineDiff.Diff($"{reference.Name} (DIFF_RUNTIME) stdout", expected.Stdout, $"{Rt.Name} (OCI_RUNTIME) stdout", actual.Stdout);
        Assert.True(diff is null, $"stdout differs between runtimes:\n{diff}\n\nruntime under test:\n{actual}\n\nreference:\n{expected}");
        Assert.True(expected.ExitCode == actual.ExitCode, $"exit codes differ:\nruntime under test:\n{actual}\n\nreference:\n{expected}");
        Env.AssertNoLeaks();
    }
}
