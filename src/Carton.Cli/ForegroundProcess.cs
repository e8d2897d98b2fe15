using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Cli;

/// <summary>
/// What a foreground `run` or `exec` does while its process runs: forward signals to it, relay its pty (with the
/// host terminal raw and the window size followed), and wait for its exit status.
/// </summary>
public static unsafe class ForegroundProcess
{
    /// <summary>A socketpair standing in for --console-socket: carton receives the pty master on the first end.</summary>
    public static (int Own, int Peer) ConsolePair()
    {
        int* pair = stackalloc int[2];
        if (Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, pair) < 0)
            throw SyscallException.Last("socketpair for the terminal");
        return (pair[0], pair[1]);
    }

    /// <summary>Waits for <paramref name="pid"/> (a child of carton) and returns its exit code, 128+N for signal N.</summary>
    public static int Wait(int pid, int master)
    {
        using var forward = ForwardSignals(pid);
        using var raw = master >= 0 ? HostTerminal.MakeRaw(master) : null;
        if (master >= 0) Relay.Start(master);
        int status;
        while (Libc.waitpid(pid, &status, 0) < 0)
        {
            if (Marshal.GetLastPInvokeError() != Errno.EINTR) throw SyscallException.Last($"wait for container process {pid}");
        }
        if (master >= 0) Relay.Drain();
        return Libc.ExitCodeOf(status);
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
