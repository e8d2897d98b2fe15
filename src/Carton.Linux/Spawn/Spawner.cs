using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Linux.Spawn;

/// <summary>
/// Starts a process through the native helper (native/carton_spawn.c): marshals <see cref="SpawnOptions"/> into
/// unmanaged memory, calls carton_spawn, and turns a failure into a <see cref="SpawnException"/>. Synchronous:
/// when <see cref="Spawn"/> returns, the child has exec'd.
/// </summary>
public static unsafe class Spawner
{
    /// <summary>Spawns and returns the pid of the process that exec'd (a child of the caller).</summary>
    public static int Spawn(SpawnOptions options, string what)
    {
        using var arena = new NativeArena();
        var req = new SpawnRequest
        {
            Path = arena.Utf8(options.Path),
            Argv = arena.Utf8Array(options.Args),
            Envp = arena.Utf8Array(options.Env),
            ExecFd = options.ExecFd,
            JoinFds = arena.Ints(options.Joins.Select(j => j.Fd).ToList()),
            JoinTypes = arena.Ints(options.Joins.Select(j => j.Type).ToList()),
            JoinCount = options.Joins.Count,
            NewNsFlags = options.NewNamespaceFlags,
            JoinedPidNs = options.JoinsPidNamespace ? 1 : 0,
            UidMap = options.UidMap is null ? null : arena.Utf8(options.UidMap),
            GidMap = options.GidMap is null ? null : arena.Utf8(options.GidMap),
            SetgroupsDeny = options.SetgroupsDeny ? 1 : 0,
            UidmapHelper = options.UidMapHelper is null ? null : arena.Utf8(options.UidMapHelper),
            GidmapHelper = options.GidMapHelper is null ? null : arena.Utf8(options.GidMapHelper),
            DupSrc = arena.Ints(options.Dups.Select(d => d.Source).ToList()),
            DupDst = arena.Ints(options.Dups.Select(d => d.Target).ToList()),
            DupCount = options.Dups.Count,
            KeepFds = arena.Ints(options.KeepFds),
            KeepCount = options.KeepFds.Count,
            Cwd = options.WorkingDirectory is null ? null : arena.Utf8(options.WorkingDirectory),
            Setsid = options.NewSession ? 1 : 0,
        };
        int rc = SpawnNative.CartonSpawn(&req);
        if (req.IntermediatePid > 0) Reap(req.IntermediatePid);
        if (rc != 0)
        {
            if (req.Pid > 0) Reap(req.Pid);
            var step = (SpawnStep)req.ErrStep;
            // A failed join is named by the caller's description of that namespace (its config entry).
            var joined = step == SpawnStep.Setns && req.ErrIndex >= 0 && req.ErrIndex < options.Joins.Count ? options.Joins[req.ErrIndex].What : null;
            throw new SpawnException(step, req.ErrErrno, req.ErrIndex, what, joined);
        }
        return req.Pid;
    }

    /// <summary>waitpid for a child of this process, retrying EINTR; its status is not needed.</summary>
    public static void Reap(int pid)
    {
        int status;
        while (Libc.waitpid(pid, &status, 0) < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR) { }
    }

    /// <summary>Unmanaged allocations that live for one spawn.</summary>
    private sealed class NativeArena : IDisposable
    {
        private readonly List<nint> _blocks = [];

        private void* Alloc(nuint size)
        {
            var p = NativeMemory.AllocZeroed(size == 0 ? 1 : size);
            _blocks.Add((nint)p);
            return p;
        }

        public byte* Utf8(string s)
        {
            var bytes = Libc.Utf8Z(s);
            var p = (byte*)Alloc((nuint)bytes.Length);
            bytes.CopyTo(new Span<byte>(p, bytes.Length));
            return p;
        }

        public byte** Utf8Array(IReadOnlyList<string> items)
        {
            var array = (byte**)Alloc((nuint)((items.Count + 1) * sizeof(byte*)));
            for (int i = 0; i < items.Count; i++) array[i] = Utf8(items[i]);
            array[items.Count] = null;
            return array;
        }

        public int* Ints(IReadOnlyList<int> items)
        {
            var p = (int*)Alloc((nuint)(items.Count * sizeof(int)));
            for (int i = 0; i < items.Count; i++) p[i] = items[i];
            return p;
        }

        public void Dispose()
        {
            foreach (var b in _blocks) NativeMemory.Free((void*)b);
        }
    }
}
