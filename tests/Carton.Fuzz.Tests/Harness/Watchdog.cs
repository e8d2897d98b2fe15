using System.Collections.Concurrent;
using System.Diagnostics;

namespace Carton.Fuzz.Tests.Harness;

/// <summary>
/// Finds hangs: each worker thread says which input it is on; a background thread looks every 100 ms and reports any
/// input running longer than the timeout (once). .NET cannot abort a thread, so an input that never returns is
/// written out and, after 15 more timeouts, the process is failed fast: a run must never hang silently.
/// </summary>
public sealed class Watchdog : IDisposable
{
    private sealed class Slot
    {
        public long Started;
        public byte[]? Input;
        public bool Reported;
    }

    private readonly ConcurrentDictionary<int, Slot> _slots = new();
    private readonly Action<byte[], TimeSpan> _onHang;
    private readonly long _timeoutTicks;
    private readonly Thread _thread;
    private volatile bool _stop;

    public Watchdog(int timeoutMs, Action<byte[], TimeSpan> onHang)
    {
        _onHang = onHang;
        _timeoutTicks = timeoutMs * Stopwatch.Frequency / 1000;
        _thread = new Thread(Loop) { IsBackground = true, Name = "fuzz-watchdog" };
        _thread.Start();
    }

    /// <summary>The calling thread starts on <paramref name="input"/>.</summary>
    public void Enter(byte[] input)
    {
        var slot = _slots.GetOrAdd(Environment.CurrentManagedThreadId, _ => new Slot());
        slot.Reported = false;
        slot.Input = input;
        Volatile.Write(ref slot.Started, Stopwatch.GetTimestamp());
    }

    /// <summary>The calling thread is done with its input.</summary>
    public void Exit()
    {
        if (_slots.TryGetValue(Environment.CurrentManagedThreadId, out var slot)) Volatile.Write(ref slot.Started, 0);
    }

    private void Loop()
    {
        while (!_stop)
        {
            Thread.Sleep(100);
            long now = Stopwatch.GetTimestamp();
            foreach (var slot in _slots.Values)
            {
                long started = Volatile.Read(ref slot.Started);
                if (started == 0 || slot.Input is not { } input) continue;
                long ran = now - started;
                if (ran > _timeoutTicks && !slot.Reported)
                {
                    slot.Reported = true;
                    _onHang(input, Stopwatch.GetElapsedTime(started, now));
                }
                if (ran > 16 * _timeoutTicks)
                    Environment.FailFast($"fuzz: an input has run for {Stopwatch.GetElapsedTime(started, now)} (hang; input written to {FuzzSettings.FindingsDir})");
            }
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }
}
