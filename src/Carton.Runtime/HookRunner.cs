using System.Text.Json;
using Carton.Linux.Interop;
using Carton.Linux.Spawn;
using Carton.Oci;
using Carton.Linux.IO;
using Carton.Linux.Processes;

namespace Carton.Runtime;

/// <summary>
/// Runs config.json hooks (config.md "POSIX-platform Hooks"): path and args as given (args[0] is argv[0]),
/// env as given, the container state on stdin, killed with SIGKILL when its timeout (seconds) expires.
/// </summary>
public static class HookRunner
{
    public static void RunAll(string phase, IReadOnlyList<Hook>? hooks, ContainerState state)
    {
        if (hooks is null) return;
        var stateJson = JsonSerializer.SerializeToUtf8Bytes(state, OciJsonContext.Compact.ContainerState);
        for (int i = 0; i < hooks.Count; i++) Run($"hooks.{phase}[{i}]", hooks[i], stateJson);
    }

    /// <summary>
    /// Runs every hook of a phase whose failure is not fatal (runtime.md "Lifecycle": poststart and poststop):
    /// a hook that fails, times out or cannot be started is reported through <paramref name="warn"/>, and the hooks
    /// after it still run. Returns the number of hooks that failed.
    /// </summary>
    public static int RunAllWarnOnError(string phase, IReadOnlyList<Hook>? hooks, ContainerState state, Action<string> warn)
    {
        if (hooks is null) return 0;
        var stateJson = JsonSerializer.SerializeToUtf8Bytes(state, OciJsonContext.Compact.ContainerState);
        int failed = 0;
        for (int i = 0; i < hooks.Count; i++)
        {
            try { Run($"hooks.{phase}[{i}]", hooks[i], stateJson); }
            catch (CartonException e)
            {
                failed++;
                warn(e.Message);
            }
        }
        return failed;
    }

    private static void Run(string what, Hook hook, byte[] stateJson)
    {
        var path = hook.Path ?? throw new RuntimeError($"{what}.path: must be set");
        var stdin = Pipe.Create($"{what}: pipe");
        (int Read, int Write) output;
        try { output = Pipe.Create($"{what}: pipe"); }
        catch { FileDescriptor.Close(stdin.Read); FileDescriptor.Close(stdin.Write); throw; }
        var options = new SpawnOptions
        {
            Path = path,
            Args = hook.Args is { Count: > 0 } ? hook.Args : [path],
            Env = hook.Env ?? [],
        };
        options.Dups.Add((stdin.Read, 0));
        options.Dups.Add((output.Write, 1));
        options.Dups.Add((output.Write, 2));
        int pid;
        try
        {
            pid = Spawner.Spawn(options, $"{what}: run {path}");
        }
        finally
        {
            FileDescriptor.Close(stdin.Read);
            FileDescriptor.Close(output.Write);
        }
        // The hook may not read stdin at all; a write to a closed pipe must not kill us (EPIPE is ignored).
        using (var input = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(stdin.Write, true), FileAccess.Write, 1))
        {
            try { input.Write(stateJson); } catch (IOException) { }
        }
        var outputStream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(output.Read, true), FileAccess.Read, 1);
        var collected = Task.Run(() => { using var r = new StreamReader(outputStream); return r.ReadToEnd(); });

        int timeoutMs = hook.Timeout is int t && t > 0 ? t * 1000 : -1;
        var started = Environment.TickCount64;
        ExitStatus status;
        int delay = 1;
        while (true)
        {
            int rc = ChildProcess.Poll(pid, out status);
            if (rc == pid) break;
            if (rc < 0 && -rc != Errno.EINTR)
                throw new SyscallException($"{what}: wait for {path}", -rc);
            if (timeoutMs >= 0 && Environment.TickCount64 - started > timeoutMs)
            {
                ChildProcess.KillAndReap(pid);
                throw new RuntimeError($"{what}: {path} did not finish within its timeout of {hook.Timeout}s and was killed");
            }
            Thread.Sleep(delay);
            delay = Math.Min(delay * 2, 20);
        }
        string text = collected.Wait(2000) ? collected.Result.Trim() : "";
        int code = status.ShellCode;
        if (code != 0)
            throw new RuntimeError($"{what}: {path} exited with status {code}" + (text.Length > 0 ? $": {text.ReplaceLineEndings(" ")}" : ""));
    }
}
