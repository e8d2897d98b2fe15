using System.CommandLine;
using Carton.Linux.Interop;
using Carton.Linux.IO;
using Carton.Runtime;

namespace Carton.Cli;

/// <summary>`carton exec` (runc-exec(8)): run a new process inside a running container.</summary>
public static class ExecCommand
{
    public static Command Build()
    {
        var id = new Argument<string>("container-id");
        var command = new Argument<string[]>("command") { Arity = ArgumentArity.ZeroOrMore, Description = "the command and its arguments" };
        var consoleSocket = new Option<string?>("--console-socket") { Description = "path to an AF_UNIX socket which will receive the pty master" };
        var cwd = new Option<string?>("--cwd") { Description = "current working directory in the container" };
        var env = new Option<string[]>("--env", "-e") { Description = "set environment variables (KEY=value)", AllowMultipleArgumentsPerToken = false };
        var tty = new Option<bool>("--tty", "-t") { Description = "allocate a pseudo-TTY" };
        var user = new Option<string?>("--user", "-u") { Description = "UID (format: <uid>[:<gid>])" };
        var additionalGids = new Option<string[]>("--additional-gids", "-g") { Description = "additional gids" };
        var process = new Option<string?>("--process", "-p") { Description = "path to the process.json" };
        var detach = new Option<bool>("--detach", "-d") { Description = "detach from the container's process" };
        var pidFile = new Option<string?>("--pid-file") { Description = "file to write the process id to" };
        var processLabel = new Option<string?>("--process-label") { Description = "set the SELinux label for the process (an error when the host has no SELinux)" };
        var apparmor = new Option<string?>("--apparmor") { Description = "set the AppArmor profile for the process (an error when the host has no AppArmor)" };
        var noNewPrivs = new Option<bool>("--no-new-privs") { Description = "set the no new privileges value for the process" };
        var cap = new Option<string[]>("--cap", "-c") { Description = "add a capability to the bounding set for the process" };
        var preserveFds = new Option<int>("--preserve-fds") { Description = "pass N additional file descriptors to the process" };
        var ignorePaused = new Option<bool>("--ignore-paused") { Description = "allow exec in a paused container" };
        var cmd = new Command("exec", "execute new process inside the container")
        {
            id, command, consoleSocket, cwd, env, tty, user, additionalGids, process, detach, pidFile, processLabel, apparmor,
            noNewPrivs, cap, preserveFds, ignorePaused,
        };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, life =>
        {
            var containerId = parse.GetValue(id)!;
            Oci.Process proc = parse.GetValue(process) is { } file
                ? ExecProcessBuilder.FromFile(file)
                : ExecProcessBuilder.Build(life.Store.Load(containerId).Spec, new ExecRequest
                {
                    Args = parse.GetValue(command) ?? [], Tty = parse.GetValue(tty), Env = parse.GetValue(env) ?? [],
                    Cwd = parse.GetValue(cwd), User = parse.GetValue(user), AdditionalGids = SplitGids(parse.GetValue(additionalGids)),
                    Caps = parse.GetValue(cap) ?? [], NoNewPrivs = parse.GetValue(noNewPrivs),
                    ApparmorProfile = parse.GetValue(apparmor), ProcessLabel = parse.GetValue(processLabel),
                });
            bool detached = parse.GetValue(detach);
            int own = -1, peer = -1;
            if (proc.Terminal == true && !detached && parse.GetValue(consoleSocket) is null)
                (own, peer) = ForegroundProcess.ConsolePair();
            // the proxy before the exec: the process runs before its pid comes back (SignalProxy says why)
            using var proxy = detached ? null : SignalProxy.Start();
            int pid;
            try
            {
                pid = new ContainerExec(life).Exec(new ExecOptions
                {
                    Id = containerId, Process = proc, ConsoleSocket = parse.GetValue(consoleSocket), ConsoleSocketFd = peer,
                    PidFile = parse.GetValue(pidFile), PreserveFds = parse.GetValue(preserveFds), IgnorePaused = parse.GetValue(ignorePaused),
                });
            }
            finally
            {
                if (peer >= 0) FileDescriptor.Close(peer);
            }
            int master = own >= 0 ? FdPassing.Receive(own, out _) : -1;
            if (own >= 0) FileDescriptor.Close(own);
            if (detached) return 0;
            proxy!.Target(pid);
            Carton.Linux.FaultPoints.Reach(Carton.Linux.FaultPoints.ExecBeforeWait);
            return ForegroundProcess.Wait(pid, master);
        }));
        return cmd;
    }

    /// <summary>runc takes --additional-gids repeated or comma-separated.</summary>
    private static List<string> SplitGids(string[]? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList();
}
