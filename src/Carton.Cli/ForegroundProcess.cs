using System.Runtime.InteropServices;
using Carton.Linux.Interop;
using Carton.Linux.IO;
using Carton.Linux.Processes;
using Carton.Linux.Terminals;

namespace Carton.Cli;

/// <summary>
/// What a foreground `run` or `exec` does while its process runs: forward signals to it, relay its pty (with the
/// host terminal raw and the window size followed), and wait for its exit status.
/// </summary>
public static class ForegroundProcess
{
    /// <summary>A socketpair standing in for --console-socket: carton receives the pty master on the first end.</summary>
    public static (int Own, int Peer) ConsolePair() => SocketPair.Create("socketpair for the terminal");

    /// <summary>Waits for <paramref name="pid"/> (a child of carton) and returns its exit code, 128+N for signal N.
    /// The caller forwards signals meanwhile (<see cref="SignalProxy"/>, set up before the process starts).</summary>
    public static int Wait(int pid, int master)
    {
        using var raw = master >= 0 ? HostTerminal.MakeRaw(master) : null;
        if (master >= 0) Relay.Start(master);
        var status = ChildProcess.Wait(pid, $"wait for container process {pid}");
        if (master >= 0) Relay.Drain();
        return status.ShellCode;
    }

    /// <summary>Signals a foreground `run` receives go to the container's process instead (runc's signal proxy).</summary>
    public static SignalProxy ForwardSignals(int pid)
    {
        var proxy = SignalProxy.Start();
        proxy.Target(pid);
        return proxy;
    }

    /// <summary>
    /// While carton relays a container's pty, its own terminal must be raw (no echo, no line editing, no signal
    /// characters): the container's pty does all of that, once. The container's window follows carton's (SIGWINCH).
    /// </summary>
    private sealed class HostTerminal : IDisposable
    {
        private readonly PosixSignalRegistration? _winch;
        private readonly RawMode? _raw;

        private HostTerminal(int master)
        {
            CopySize(master);
            _winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => CopySize(master));
            _raw = RawMode.Enter(0);
        }

        public static HostTerminal? MakeRaw(int master) => RawMode.IsTerminal(0) ? new HostTerminal(master) : null;

        private static void CopySize(int master) => WindowSize.Copy(0, master);

        public void Dispose()
        {
            _winch?.Dispose();
            _raw?.Dispose();
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
            while (true)
            {
                int n = FileDescriptor.Read(from, buf);
                if (n == -Errno.EINTR) continue;
                if (n <= 0) return;
                int off = 0;
                while (off < n)
                {
                    int w = FileDescriptor.Write(to, buf.AsSpan(off, n - off));
                    if (w <= 0) return;
                    off += w;
                }
            }
        }
    }
}
