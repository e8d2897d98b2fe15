using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Carton.Linux.Interop;
using static Carton.Linux.Cgroups.Stats.CgroupOomNative;

namespace Carton.Linux.Cgroups.Stats;

/// <summary>What <see cref="CgroupOomWatcher.Wait"/> saw.</summary>
public enum OomWatchResult
{
    /// <summary>One OOM event (further ones queued are returned by later calls).</summary>
    Oom,

    /// <summary>The timeout passed without an event.</summary>
    Timeout,

    /// <summary>The cgroup was removed or has no processes left (the container exited); every later call returns this too.</summary>
    Exited,
}

/// <summary>
/// Reports OOM events of a container's memory cgroup, as `runc events` does.
/// <para>v1 (and hybrid hosts, where memory is a v1 controller): an eventfd registered through cgroup.event_control
/// against memory.oom_control; the kernel signals it on each OOM and also when the cgroup is removed, which is told
/// apart by cgroup.event_control having disappeared.</para>
/// <para>v2: inotify IN_MODIFY on memory.events; an event counts when "oom_kill" has grown (runc only checks it is
/// non-zero, which repeats old OOMs on every later change of the file).</para>
/// <para>Exit: besides removal, "populated 0" in cgroup.events is watched (v2, and the unified directory of a hybrid
/// host) since cgroupfs sends no inotify event when a directory goes away but still has processes to lose.</para>
/// Not thread-safe: one <see cref="Wait"/> at a time; cancel it before <see cref="Dispose"/>.
/// </summary>
public sealed class CgroupOomWatcher : IDisposable
{
    private readonly string _memoryDir;
    private readonly bool _v2;
    private readonly string? _cgroupEventsFile;
    private int _eventFd = -1, _inotifyFd = -1, _cancelFd = -1;
    private int _memoryEventsWd = -1, _cgroupEventsWd = -1;
    private ulong _oomKills;
    private long _pending;
    private bool _exited, _disposed;

    private CgroupOomWatcher(string memoryDir, bool v2, string? cgroupEventsFile)
    {
        _memoryDir = memoryDir;
        _v2 = v2;
        _cgroupEventsFile = cgroupEventsFile;
    }

    /// <summary>The memory cgroup directory being watched.</summary>
    public string MemoryDirectory => _memoryDir;

    /// <summary>
    /// Starts watching the container whose cgroups are <paramref name="paths"/> (<see cref="ICgroupManager.Paths"/>).
    /// Only OOMs after this call are reported. Throws <see cref="CgroupException"/> when there is no memory cgroup.
    /// </summary>
    public static CgroupOomWatcher Open(CgroupHost host, IReadOnlyDictionary<string, string> paths)
    {
        var memory = CgroupStatsReader.Locate(host, paths, "memory")
            ?? throw new CgroupException("watch for OOM events: no memory cgroup hierarchy is mounted", null, Interop.Errno.EOPNOTSUPP);
        string? cgroupEvents = null;
        if (paths.TryGetValue("", out var unified) && File.Exists(Path.Combine(unified, "cgroup.events")))
            cgroupEvents = Path.Combine(unified, "cgroup.events");

        var watcher = new CgroupOomWatcher(memory.Dir, memory.V2, cgroupEvents);
        try
        {
            watcher.Start();
            return watcher;
        }
        catch
        {
            watcher.Dispose();
            throw;
        }
    }

    private void Start()
    {
        _cancelFd = Libc.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (_cancelFd < 0) throw Failure("eventfd", null);

        if (_v2 || _cgroupEventsFile is not null)
        {
            _inotifyFd = Libc.inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
            if (_inotifyFd < 0) throw Failure("inotify_init1", null);
        }

        if (_v2)
        {
            var events = Path.Combine(_memoryDir, "memory.events");
            _memoryEventsWd = Libc.inotify_add_watch(_inotifyFd, events, IN_MODIFY);
            if (_memoryEventsWd < 0) throw Failure($"watch {events}", events);
            _oomKills = CgroupStatFiles.ReadValueByKey(_memoryDir, "memory.events", "oom_kill") ?? 0;
        }
        else
        {
            // "<eventfd> <fd of memory.oom_control>" registers for OOM notifications; the kernel holds its own
            // references, but the oom_control descriptor must stay valid until the write completes.
            var oomControl = Path.Combine(_memoryDir, "memory.oom_control");
            var oomFd = Libc.open(oomControl, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
            if (oomFd < 0) throw Failure($"open {oomControl}", oomControl);
            try
            {
                _eventFd = Libc.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
                if (_eventFd < 0) throw Failure("eventfd", null);
                CgroupFiles.Write(Path.Combine(_memoryDir, "cgroup.event_control"), $"{_eventFd} {oomFd}");
            }
            finally
            {
                Libc.close(oomFd);
            }
        }

        if (_cgroupEventsFile is not null)
        {
            _cgroupEventsWd = Libc.inotify_add_watch(_inotifyFd, _cgroupEventsFile, IN_MODIFY);
            if (_cgroupEventsWd < 0) throw Failure($"watch {_cgroupEventsFile}", _cgroupEventsFile);
        }
    }

    /// <summary>
    /// Blocks until an OOM event, the container's exit, or <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/>
    /// waits forever). Cancelling <paramref name="cancellationToken"/> throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public unsafe OomWatchResult Wait(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var clock = Stopwatch.StartNew();
        using var registration = cancellationToken.Register(static state => Signal((int)state!), _cancelFd);
        var fds = stackalloc Libc.PollFd[3];
        while (true)
        {
            if (_pending > 0)
            {
                _pending--;
                return OomWatchResult.Oom;
            }
            if (_exited) return OomWatchResult.Exited;
            cancellationToken.ThrowIfCancellationRequested();

            var count = 0;
            fds[count++] = new Libc.PollFd { Fd = _cancelFd, Events = POLLIN };
            if (_eventFd >= 0) fds[count++] = new Libc.PollFd { Fd = _eventFd, Events = POLLIN };
            if (_inotifyFd >= 0) fds[count++] = new Libc.PollFd { Fd = _inotifyFd, Events = POLLIN };

            var waitMs = -1;
            if (timeout != Timeout.InfiniteTimeSpan)
            {
                var left = timeout - clock.Elapsed;
                if (left <= TimeSpan.Zero) return OomWatchResult.Timeout;
                waitMs = (int)Math.Min(int.MaxValue, Math.Ceiling(left.TotalMilliseconds));
            }

            var ready = Libc.poll(fds, (nuint)count, waitMs);
            if (ready < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Interop.Errno.EINTR) continue;
                throw new CgroupException($"watch {_memoryDir} for OOM events: poll", _memoryDir, errno);
            }
            if (ready == 0) continue; // re-checks the deadline

            if ((fds[0].Revents & POLLIN) != 0) ReadCounter(_cancelFd);
            if (_eventFd >= 0) DrainEventFd();
            if (_inotifyFd >= 0) DrainInotify();
        }
    }

    /// <summary>
    /// The OOM events as an async stream: yields the running count of OOMs seen and ends when the container exits.
    /// Waiting happens on a dedicated thread.
    /// </summary>
    public async IAsyncEnumerable<int> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var seen = 0;
        while (true)
        {
            var result = await Task.Factory.StartNew(() => Wait(Timeout.InfiniteTimeSpan, cancellationToken),
                cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            if (result == OomWatchResult.Exited) yield break;
            if (result == OomWatchResult.Oom) yield return ++seen;
        }
    }

    /// <summary>v1: each OOM adds to the counter; so does the cgroup's removal, told apart by cgroup.event_control being gone.</summary>
    private void DrainEventFd()
    {
        var value = ReadCounter(_eventFd);
        if (value == 0) return;
        if (!File.Exists(Path.Combine(_memoryDir, "cgroup.event_control")))
        {
            _exited = true;
            return;
        }
        _pending += (long)Math.Min(value, long.MaxValue / 2);
    }

    private unsafe void DrainInotify()
    {
        var buffer = stackalloc byte[4096];
        while (true)
        {
            var n = Libc.read(_inotifyFd, buffer, 4096);
            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Interop.Errno.EINTR) continue;
                break; // EAGAIN: drained
            }
            if (n == 0) break;
            bool memoryChanged = false, cgroupChanged = false;
            for (nint offset = 0; offset + InotifyEventHeaderSize <= n;)
            {
                var wd = *(int*)(buffer + offset);
                var mask = *(uint*)(buffer + offset + 4);
                var len = *(uint*)(buffer + offset + 12);
                offset += InotifyEventHeaderSize + (nint)len;
                // IN_IGNORED: the watch went away with the file, i.e. the cgroup was removed.
                if ((mask & IN_IGNORED) != 0) cgroupChanged = memoryChanged = _exited = true;
                else if (wd == _memoryEventsWd) memoryChanged = true;
                else if (wd == _cgroupEventsWd) cgroupChanged = true;
            }
            // An OOM kill precedes the exit it causes: count it before reporting the exit.
            if (memoryChanged || cgroupChanged) CheckOomKills();
            if (cgroupChanged && !_exited)
            {
                var populated = ReadKey(Path.GetDirectoryName(_cgroupEventsFile)!, "cgroup.events", "populated", out var exists);
                if (!exists || populated == 0) _exited = true;
            }
        }
        // On hybrid hosts the v1 eventfd may not have fired yet when the unified tree reports the exit.
        if (_exited && _eventFd >= 0) DrainEventFd();
    }

    private void CheckOomKills()
    {
        if (!_v2) return;
        var kills = ReadKey(_memoryDir, "memory.events", "oom_kill", out var fileExists);
        if (!fileExists)
        {
            _exited = true;
            return;
        }
        if (kills is not { } count) return;
        if (count > _oomKills) _pending += (long)Math.Min(count - _oomKills, long.MaxValue / 2);
        _oomKills = count;
    }

    /// <summary>A key of a "key value" file; <paramref name="fileExists"/> is false when the file (the cgroup) is gone.</summary>
    private static ulong? ReadKey(string dir, string name, string key, out bool fileExists)
    {
        List<KeyValuePair<string, ulong>>? values;
        try
        {
            values = CgroupStatFiles.ReadKeyValues(dir, name);
        }
        catch (CgroupException)
        {
            values = []; // caught mid-update; a later IN_MODIFY brings the complete content
        }
        fileExists = values is not null;
        foreach (var (k, v) in values ?? [])
            if (k == key) return v;
        return null;
    }

    private CgroupException Failure(string operation, string? path) =>
        new($"watch {_memoryDir} for OOM events: {operation}", path ?? _memoryDir, Marshal.GetLastPInvokeError());

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var fd in new[] { _eventFd, _inotifyFd, _cancelFd })
            if (fd >= 0) Libc.close(fd);
        _eventFd = _inotifyFd = _cancelFd = -1;
    }
}
