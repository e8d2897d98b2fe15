using System.Runtime.InteropServices;
using Carton.Linux.Processes;

namespace Carton.Cli;

/// <summary>
/// runc's signal proxy, in place before the process exists: a foreground `exec` learns its process's pid only
/// when the exec returns, and the process already runs then; a SIGINT before the proxy would kill carton (the
/// default action) and leave the process without its waiter. Signals that come before <see cref="Target"/> wait
/// here and are sent, in order, once the pid is known (runc's handler is installed before the start and its
/// channel queues the same way).
/// </summary>
public sealed class SignalProxy : IDisposable
{
    private readonly List<PosixSignalRegistration> _regs = [];
    private readonly Queue<int> _pending = new();
    private int _pid;

    private SignalProxy() { }

    public static SignalProxy Start()
    {
        var proxy = new SignalProxy();
        foreach (var (sig, num) in new[] { (PosixSignal.SIGINT, 2), (PosixSignal.SIGTERM, 15), (PosixSignal.SIGHUP, 1), (PosixSignal.SIGQUIT, 3) })
        {
            // started from a script's background job, SIGINT and SIGQUIT come ignored: forwarded all the same, as
            // runc forwards them (ForegroundRunTests.SigintToRuntime failed so when its runner was such a job)
            SignalDisposition.Unignore(num);
            proxy._regs.Add(PosixSignalRegistration.Create(sig, ctx =>
            {
                ctx.Cancel = true;
                proxy.Deliver(num);
            }));
        }
        return proxy;
    }

    /// <summary>From now on signals go to <paramref name="pid"/>; those that came before are sent first.</summary>
    public void Target(int pid)
    {
        lock (_pending)
        {
            _pid = pid;
            while (_pending.TryDequeue(out var num)) ProcessSignal.TrySend(pid, num);
        }
    }

    private void Deliver(int num)
    {
        lock (_pending)
        {
            if (_pid > 0) ProcessSignal.TrySend(_pid, num);
            else _pending.Enqueue(num);
        }
    }

    public void Dispose() { foreach (var r in _regs) r.Dispose(); }
}
