using System.CommandLine;
using System.Runtime.InteropServices;
using Carton.Linux.Interop;
using Carton.Runtime;

namespace Carton.Cli;

/// <summary>
/// `carton run` (runc-run(8)): create + start, then (unless --detach) wait for the container's process, forward
/// the signals carton receives to it, and return its exit code (128+N when killed by signal N). Without --keep the
/// container is deleted after it exits. With process.terminal and no --console-socket, carton holds the pty master
/// itself and copies between it and its own stdio.
/// </summary>
public static unsafe class RunCommand
{
    public static Command Build()
    {
        var flags = new CreateCommand.Flags();
        var detach = new Option<bool>("--detach", "-d") { Description = "detach from the container's process" };
        var keep = new Option<bool>("--keep") { Description = "do not delete the container after it exits" };
        var cmd = new Command("run", "create and run a container") { CreateCommand.Id, detach, keep };
        flags.AddTo(cmd);
        cmd.SetAction(parse => GlobalOptions.Execute(parse, life =>
        {
            var id = parse.GetValue(CreateCommand.Id)!;
            bool detached = parse.GetValue(detach);
            int ownConsole = -1, peer = -1;
            if (!detached && parse.GetValue(flags.ConsoleSocket) is null && TerminalRequested(parse.GetValue(flags.Bundle) ?? "."))
            {
                int* pair = stackalloc int[2];
                if (Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, pair) < 0)
                    throw SyscallException.Last("socketpair for the terminal");
                ownConsole = pair[0];
                peer = pair[1];
            }
            var creator = new ContainerCreator(life.Store);
            ContainerRecord record;
            try { record = creator.Create(flags.ToOptions(parse, id, peer)); }
            finally { foreach (var w in creator.Warnings) CliLog.Current.Warn(w); }
            if (peer >= 0) Libc.close(peer);
            int master = ownConsole >= 0 ? FdPassing.Receive(ownConsole, out _) : -1;
            if (ownConsole >= 0) Libc.close(ownConsole);
            try
            {
                life.Start(id);
            }
            catch (RuntimeError)
            {
                if (!parse.GetValue(keep)) TryDelete(life, id);
                throw;
            }
            if (detached) return 0;

            using var forward = ForwardSignals(record.Pid);
            using var raw = master >= 0 ? HostTerminal.MakeRaw(master) : null;
            if (master >= 0) Relay.Start(master);
            int status;
            while (Libc.waitpid(record.Pid, &status, 0) < 0)
            {
                if (Marshal.GetLastPInvokeError() != Errno.EINTR) throw SyscallException.Last($"wait for container process {record.Pid}");
            }
            if (master >= 0) Relay.Drain();
            if (!parse.GetValue(keep)) TryDelete(life, id);
            return Libc.ExitCodeOf(status);
        }));
        return cmd;
    }

    private static void TryDelete(Lifecycle life, string id)
    {
        try { life.Delete(id, force: true); }
        catch (Exception e) when (e is RuntimeError or IOException or Linux.Cgroups.CgroupException)
        {
            CliLog.Current.Warn($"delete container \"{id}\": {e.Message}");
        }
    }

    private static bool TerminalRequested(string bundle)
    {
        try { return Oci.SpecLoader.Load(Path.Combine(bundle, "config.json"), validate: false).Process?.Terminal == true; }
        catch (Exception e) when (e is Oci.SpecException or IOException) { return false; }
    }

    /// <summary>Signals a foreground `run` receives go to the container's process instead (runc's signal proxy).</summary>
    private static IDisposable ForwardSignals(int pid)
    {
        var regs = new List<PosixSignalRegistration>();
        foreach (var (sig, num) in new[] { (PosixSignal.SIGINT, 2), (PosixSignal.SIGTERM, 15), (PosixSignal.SIGHUP, 1), (PosixSignal.SIGQUIT, 3) })
        {
            regs.Add(PosixSignalRegistration.Create(sig, ctx =>
            {
                ctx.Cancel = true;
                Libc.kill(pid, num);
            }));
        }
        return new Registrations(regs);
    }

    private sealed class Registrations(List<PosixSignalRegistration> regs) : IDisposable
    {
        public void Dispose() { foreach (var r in regs) r.Dispose(); }
    }

    /// <summary>
    /// While carton relays a container's pty, its own terminal must be raw (no echo, no line editing, no signal
    /// characters): the container's pty does all of that, once. The container's window follows carton's (SIGWINCH).
    /// </summary>
    private sealed class HostTerminal : IDisposable
    {
        private readonly byte[] _saved = new byte[64];
        private readonly PosixSignalRegistration? _winch;
        private readonly bool _restored;

        private HostTerminal(int master)
        {
            CopySize(master);
            _winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => CopySize(master));
            fixed (byte* saved = _saved)
            {
                if (Libc.tcgetattr(0, saved) < 0) { _restored = true; return; }
                var raw = stackalloc byte[64];
                new Span<byte>(saved, 64).CopyTo(new Span<byte>(raw, 64));
                Libc.cfmakeraw(raw);
                Libc.tcsetattr(0, 0 /* TCSANOW */, raw);
            }
        }

        public static HostTerminal? MakeRaw(int master) => Libc.isatty(0) == 1 ? new HostTerminal(master) : null;

        private static void CopySize(int master)
        {
            Libc.WinSize ws;
            if (Libc.ioctl(0, Libc.TIOCGWINSZ, &ws) == 0) Libc.ioctl(master, Libc.TIOCSWINSZ, &ws);
        }

        public void Dispose()
        {
            _winch?.Dispose();
            if (_restored) return;
            fixed (byte* saved = _saved) Libc.tcsetattr(0, 0, saved);
        }
    }

    /// <summary>Copies stdin to the pty master and the master to stdout on background threads.</summary>
    private static class Relay
    {
        private static Thread? _out;

        public static void Start(int master)
        {
            var inThread = new Thread(() => Copy(0, master)) { IsBackground = true };
            _out = new Thread(() => Copy(master, 1)) { IsBackground = true };
            inThread.Start();
            _out.Start();
        }

        public static void Drain() => _out?.Join(1000);

        private static void Copy(int from, int to)
        {
            var buf = new byte[8192];
            fixed (byte* p = buf)
                while (true)
                {
                    nint n = Libc.read(from, p, (nuint)buf.Length);
                    if (n < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR) continue;
                    if (n <= 0) return;
                    nint off = 0;
                    while (off < n)
                    {
                        nint w = Libc.write(to, p + off, (nuint)(n - off));
                        if (w <= 0) return;
                        off += w;
                    }
                }
        }
    }
}
