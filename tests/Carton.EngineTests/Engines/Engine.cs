using System.Diagnostics;
using Carton.EngineTests.Infrastructure;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.EngineTests.Engines;

/// <summary>
/// One engine started for the tests, with carton as its runtime and its own state directory (and, where it sets up
/// networks, its own network namespace). Disposing stops it and removes everything it made.
/// </summary>
public abstract class Engine : IDisposable
{
    /// <summary>The image every scenario runs (built from busybox-static by <see cref="ImageArchive"/>, loaded, never pulled).</summary>
    public const string Image = "carton.test/busybox:1";

    private Process? _daemon;

    protected Engine(string name)
    {
        Name = name;
        StateDir = Paths.NewStateDir(name);
        if (!File.Exists(Paths.Carton)) throw new InvalidOperationException($"{Paths.Carton} is missing: run scripts/build.sh");
    }

    public string Name { get; }

    /// <summary>Everything the engine keeps (its root, state, sockets, logs) is under here.</summary>
    public string StateDir { get; }

    protected string DaemonLog => Path.Combine(StateDir, "daemon.log");

    /// <summary>Runs the engine's CLI.</summary>
    public abstract ProcessResult Cli(TimeSpan? timeout, params string[] args);

    public ProcessResult Cli(params string[] args) => Cli(null, args);

    /// <summary>Runs the CLI and fails the test, with the daemon's log tail, unless it exits 0.</summary>
    public ProcessResult Must(params string[] args)
    {
        var r = Cli(args);
        Assert.True(r.Succeeded, $"{Name} {string.Join(' ', args)} failed:\n{r}\n--- daemon log (tail) ---\n{LogTail()}");
        return r;
    }

    /// <summary>The last lines of the daemon's log, for failure messages.</summary>
    public string LogTail(int lines = 40) =>
        File.Exists(DaemonLog) ? string.Join('\n', File.ReadLines(DaemonLog).TakeLast(lines)) : "(no daemon log)";

    protected static void Require(params string[] binaries)
    {
        foreach (var b in binaries)
            if (!File.Exists(b)) throw new InvalidOperationException($"{b} is missing: run scripts/install-deps.sh");
    }

    /// <summary>Starts a daemon in the background, its output to <see cref="DaemonLog"/>, and waits until
    /// <paramref name="ready"/> holds.</summary>
    protected void StartDaemon(string[] command, Func<bool> ready, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec \"$@\" </dev/null >>'{DaemonLog}' 2>&1");
        psi.ArgumentList.Add("engine-daemon");
        foreach (var a in command) psi.ArgumentList.Add(a);
        _daemon = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + command[0]);
        if (!Host.WaitFor(() => _daemon.HasExited || ready(), timeout) || _daemon.HasExited)
            throw new InvalidOperationException($"{Name} did not start:\n{LogTail()}");
    }

    /// <summary>Stops the daemon: SIGTERM, then SIGKILL after the grace period.</summary>
    protected void StopDaemon(TimeSpan grace)
    {
        if (_daemon is null || _daemon.HasExited) return;
        Host.Run("kill", "-TERM", _daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!_daemon.WaitForExit(grace)) _daemon.Kill(entireProcessTree: true);
        _daemon.WaitForExit(5000);
    }

    /// <summary>Kills whatever still runs with the state directory on its command line (shims, monitors, inits).</summary>
    protected void KillStragglers()
    {
        Host.Run("pkill", "-KILL", "-f", StateDir);
        Host.WaitFor(() => Host.Run("pgrep", "-f", StateDir).ExitCode != 0, TimeSpan.FromSeconds(5));
    }

    /// <summary>Writes the test image's archive under the state directory and returns its path.</summary>
    protected string WriteImageArchive(string name, string repoTag, string[] cmd, string[]? entrypoint = null)
    {
        var path = Path.Combine(StateDir, name);
        ImageArchive.Write(path, repoTag, cmd, entrypoint);
        return path;
    }

    protected abstract void Shutdown();

    public void Dispose()
    {
        try { Shutdown(); }
        finally
        {
            KillStragglers();
            Host.RemoveStateDir(StateDir);
        }
        GC.SuppressFinalize(this);
    }
}
