using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Exec;

/// <summary>
/// `exec` with the same flags in a container of the runtime under test and one of DIFF_RUNTIME (runc):
/// exit code and stdout must match.
/// </summary>
public sealed class ExecDifferentialTests(RuntimeFixture fixture) : ExecTestBase(fixture)
{
    private static readonly Dictionary<string, (string[] Flags, string[] Command)> Cases = new()
    {
        ["exit-code"] = ([], ["sh", "-c", "echo out; echo err >&2; exit 7"]),
        ["args"] = ([], ["echo", "a", "b  c", ""]),
        ["user-and-groups"] = (["--user", "1000:1000", "-g", "10", "-g", "20"], ["id"]),
        ["user-uid-only"] = (["--user", "1000"], ["sh", "-c", "id; grep -E '^(Uid|Gid|Groups)' /proc/self/status"]),
        ["caps-default"] = ([], ["grep", "^Cap", "/proc/self/status"]),
        ["caps-net-admin"] = (["--cap", "CAP_NET_ADMIN"], ["grep", "^Cap", "/proc/self/status"]),
        ["env"] = (["-e", "FOO=bar", "-e", "TERM=dumb", "-e", "EMPTY="], ["sh", "-c", "env | sort"]),
        ["cwd"] = (["--cwd", "/tmp"], ["pwd"]),
        ["no-new-privs-off"] = ([], ["grep", "^NoNewPrivs", "/proc/self/status"]),
        ["no-new-privs-on"] = (["--no-new-privs"], ["grep", "^NoNewPrivs", "/proc/self/status"]),
        ["proc-view"] = ([], ["sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; hostname; cat /proc/self/oom_score_adj; umask"]),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ExecMatchesReferenceRuntime(string name)
    {
        var (flags, command) = Cases[name];
        // runc's spec default is noNewPrivileges=true, which would hide the effect of --no-new-privs.
        Bundle.SetProcess("noNewPrivileges", false);
        var id = Env.NewId();
        var refId = Env.NewId();
        StartSleeper(Rt, id);
        StartSleeper(Reference, refId);

        var actual = ExecIn(Rt, id, flags, command);
        var expected = ExecIn(Reference, refId, flags, command);

        Assert.False(actual.TimedOut, actual.ToString());
        var diff = LineDiff.Diff($"{Reference.Name} (DIFF_RUNTIME) stdout", expected.Stdout, $"{Rt.Name} (OCI_RUNTIME) stdout", actual.Stdout);
        Assert.True(diff is null, $"exec stdout differs between runtimes:\n{diff}\n\nruntime under test:\n{actual}\n\nreference:\n{expected}");
        Assert.True(expected.ExitCode == actual.ExitCode, $"exec exit codes differ:\nruntime under test:\n{actual}\n\nreference:\n{expected}");
        DeleteAndCheckLeaks((Rt, id), (Reference, refId));
    }

    /// <summary>The exec'd process joins every namespace of the container's init (inode numbers read on the host).</summary>
    [Theory]
    [InlineData("runtime-under-test")]
    [InlineData("reference")]
    public void ExecJoinsInitNamespacesAndCgroup(string which)
    {
        Bundle.SetNamespace("cgroup");
        var rt = which == "reference" ? Reference : Rt;
        var id = Env.NewId();
        var pid = StartSleeper(rt, id);
        string[] kinds = ["pid", "mnt", "net", "ipc", "uts", "cgroup"];

        var r = ExecIn(rt, id, [], "sh", "-c", "for n in " + string.Join(" ", kinds) + "; do echo \"$n=$(readlink /proc/self/ns/$n)\"; done");
        Assert.True(r.Succeeded, $"{rt.Name} exec failed:\n{r}");
        var inside = KeyValues(r.Stdout);
        foreach (var kind in kinds)
        {
            var host = new FileInfo($"/proc/{pid}/ns/{kind}").LinkTarget;
            Assert.True(inside.TryGetValue(kind, out var seen) && seen == host,
                $"{rt.Name}: exec'd process ns/{kind} = '{seen}', container init (host pid {pid}) = '{host}'\n{r}");
        }

        var cg = ExecIn(rt, id, [], "sh", "-c", "cat /proc/self/cgroup; echo ==; cat /proc/1/cgroup");
        Assert.True(cg.Succeeded, $"{rt.Name} exec failed:\n{cg}");
        var parts = cg.Stdout.Split("==\n");
        Assert.True(parts.Length == 2 && parts[0] == parts[1] && parts[0].Length > 0,
            $"{rt.Name}: /proc/self/cgroup of the exec'd process differs from the init's:\n{LineDiff.Diff("init", parts.ElementAtOrDefault(1) ?? "", "exec", parts[0])}\n{cg}");
        DeleteAndCheckLeaks((rt, id));
    }
}
