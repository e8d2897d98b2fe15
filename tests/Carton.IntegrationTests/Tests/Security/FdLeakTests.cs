using System.Text.RegularExpressions;
using Carton.IntegrationTests.Infrastructure;
using Carton.IntegrationTests.Tests.Exec;

namespace Carton.IntegrationTests.Tests.Security;

/// <summary>
/// design.md §3.2: fds above 2 are closed before the user's process runs: the process (here `sh`, whose own
/// fd table is listed by a child `ls`) sees only 0, 1 and 2 - none of the runtime's (channel socket, exec
/// fifo, memfd, state dir, /dev/null, pipes).
/// </summary>
public sealed partial class FdLeakTests(RuntimeFixture fixture) : ExecTestBase(fixture)
{
    // `exec >file` is permanent; a plain `cmd >file` makes busybox sh save its stdout/stderr at fds 10/11
    // while the child runs, which would show up in the listing of the shell's fds.
    private const string Probe = "exec >/shared/fds 2>&1; ls -l /proc/$$/fd; echo done";

    private string Shared => _shared ??= Env.HostDir("shared");

    private string? _shared;

    private void AssertOnlyStdio(string what)
    {
        var file = Path.Combine(Shared, "fds");
        Assert.True(Poll.Until(() => File.Exists(file) && File.ReadAllText(file).Contains("done\n", StringComparison.Ordinal), TimeSpan.FromSeconds(10)),
            $"{what}: probe never wrote {file}");
        var listing = File.ReadAllText(file);
        var fds = FdLine().Matches(listing).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.True(fds.SequenceEqual([0, 1, 2]), $"{what}: the user's process has fds [{string.Join(",", fds)}], expected only 0,1,2:\n{listing}");
        File.Delete(file);
    }

    [GeneratedRegex(@"\s(\d+) -> ")]
    private static partial Regex FdLine();

    [Theory]
    [InlineData("run")]
    [InlineData("run -d")]
    [InlineData("create+start")]
    public void InitProcess_SeesOnlyStdio(string mode)
    {
        Bundle.AddBindMount(Shared, "/shared");
        Bundle.SetShell(Probe + "; sleep 1000");
        var id = Env.NewId();
        if (mode == "run")
        {
            Bundle.SetShell(Probe);
            var r = RunContainer(id);
            Assert.True(r.Succeeded, r.ToString());
        }
        else if (mode == "run -d")
        {
            var r = RunContainer(id, "-d");
            Assert.True(r.Succeeded, r.ToString());
        }
        else
        {
            Assert.True(CreateContainer(id) is { Succeeded: true } c, "create failed");
            Rt.MustRun("start", id);
        }
        AssertOnlyStdio(mode);
        Rt.MustRun("delete", "--force", id);
        Env.AssertNoLeaks();
    }

    [Theory]
    [InlineData("exec")]
    [InlineData("exec -d")]
    [InlineData("exec -t -d")]
    public async Task ExecProcess_SeesOnlyStdio(string mode)
    {
        Bundle.AddBindMount(Shared, "/shared");
        var id = Env.NewId();
        StartSleeper(Rt, id);
        string[] flags = mode switch { "exec -d" => ["-d"], _ => [] };
        ConsoleSocketListener? listener = null;
        var master = -1;
        try
        {
            if (mode == "exec -t -d")
            {
                listener = new ConsoleSocketListener(Path.Combine(Env.Dir, "fd-console.sock"));
                var accept = listener.AcceptMasterAsync(TimeSpan.FromSeconds(20));
                flags = ["-t", "-d", "--console-socket", listener.SocketPath];
                var t = ExecIn(Rt, id, flags, "sh", "-c", Probe);
                Assert.True(t.Succeeded, t.ToString());
                master = await accept.WaitAsync(TimeSpan.FromSeconds(20));
            }
            else
            {
                var r = ExecIn(Rt, id, flags, "sh", "-c", Probe);
                Assert.True(r.Succeeded, r.ToString());
            }
            AssertOnlyStdio(mode);
        }
        finally
        {
            ConsoleSocketListener.CloseFd(master);
            listener?.Dispose();
        }
        DeleteAndCheckLeaks((Rt, id));
    }
}
