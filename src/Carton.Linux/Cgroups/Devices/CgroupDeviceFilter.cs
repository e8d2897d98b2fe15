using Carton.Linux.Interop;
using System.Text;
using Carton.Oci;

namespace Carton.Linux.Cgroups.Devices;

/// <summary>
/// The cgroup v2 device controller: a BPF_PROG_TYPE_CGROUP_DEVICE program attached (BPF_CGROUP_DEVICE,
/// BPF_F_ALLOW_MULTI) to the container's cgroup directory, as runc's cgroups/devices + ebpf packages do.
/// <para>
/// <see cref="Attach"/> both sets and updates: it loads the new program, attaches it next to whatever device programs
/// the cgroup already has, and only then detaches those old ones. While both are attached the kernel requires every
/// program to allow an access, so the container never sees the union of the old and new rules, only (briefly) their
/// intersection. Programs attached to a cgroup are released by the kernel when the cgroup is removed.
/// </para>
/// </summary>
public static unsafe class CgroupDeviceFilter
{
    /// <summary>runc's license string for the filter; the program uses no GPL-only helpers.</summary>
    public const string License = "Apache";

    private const string ProgramName = "carton_devices";
    private const int VerifierLogSize = 1 << 18;
    private const int MaxLogInMessage = 4096;

    /// <summary>
    /// Compiles <paramref name="rules"/> (validating them) and installs the result as the only device filter of the
    /// cgroup v2 directory <paramref name="cgroupDir"/>, replacing any previously attached device programs.
    /// Throws <see cref="CgroupException"/> naming the directory and the errno.
    /// </summary>
    public static void Attach(string cgroupDir, IReadOnlyList<LinuxDeviceCgroup> rules)
    {
        ArgumentNullException.ThrowIfNull(cgroupDir);
        Attach(cgroupDir, DeviceFilterCompiler.Compile(rules));
    }

    /// <summary>Installs an already compiled program; see <see cref="Attach(string, IReadOnlyList{LinuxDeviceCgroup})"/>.</summary>
    public static void Attach(string cgroupDir, BpfInstruction[] program)
    {
        ArgumentNullException.ThrowIfNull(cgroupDir);
        ArgumentNullException.ThrowIfNull(program);
        var dirFd = OpenCgroup(cgroupDir);
        var oldFds = new List<int>();
        var progFd = -1;
        try
        {
            // Take references to the old programs first, so the ones detached below are exactly those that were
            // there before ours (a program that disappears in between is simply skipped).
            foreach (var id in Query(dirFd, cgroupDir))
            {
                var attr = new BpfNative.GetFdByIdAttr { ProgId = id };
                var fd = BpfNative.Call(BpfNative.BPF_PROG_GET_FD_BY_ID, ref attr);
                if (fd == -Interop.Errno.ENOENT) continue;
                if (fd < 0) throw new CgroupException($"get eBPF program {id} attached to cgroup {cgroupDir}", cgroupDir, -fd);
                oldFds.Add(fd);
            }

            progFd = Load(program, cgroupDir);

            var attach = new BpfNative.ProgAttachAttr
            {
                TargetFd = (uint)dirFd,
                AttachBpfFd = (uint)progFd,
                AttachType = BpfNative.BPF_CGROUP_DEVICE,
                AttachFlags = BpfNative.BPF_F_ALLOW_MULTI,
            };
            var r = BpfNative.Call(BpfNative.BPF_PROG_ATTACH, ref attach);
            if (r < 0) throw new CgroupException($"attach device filter to cgroup {cgroupDir}", cgroupDir, -r);

            foreach (var oldFd in oldFds)
            {
                var detach = new BpfNative.ProgAttachAttr
                {
                    TargetFd = (uint)dirFd,
                    AttachBpfFd = (uint)oldFd,
                    AttachType = BpfNative.BPF_CGROUP_DEVICE,
                };
                r = BpfNative.Call(BpfNative.BPF_PROG_DETACH, ref detach);
                // ENOENT: someone else detached it meanwhile, which is the state we want.
                if (r < 0 && r != -Interop.Errno.ENOENT)
                    throw new CgroupException($"detach old device filter from cgroup {cgroupDir}", cgroupDir, -r);
            }
        }
        finally
        {
            BpfNative.Close(progFd);
            foreach (var fd in oldFds) BpfNative.Close(fd);
            BpfNative.Close(dirFd);
        }
    }

    /// <summary>The ids of the device programs attached directly to <paramref name="cgroupDir"/> (BPF_PROG_QUERY, not the effective set).</summary>
    public static IReadOnlyList<uint> GetAttachedProgramIds(string cgroupDir)
    {
        ArgumentNullException.ThrowIfNull(cgroupDir);
        var dirFd = OpenCgroup(cgroupDir);
        try
        {
            return Query(dirFd, cgroupDir);
        }
        finally
        {
            BpfNative.Close(dirFd);
        }
    }

    private static int OpenCgroup(string cgroupDir)
    {
        var fd = BpfNative.OpenDirectory(cgroupDir);
        if (fd < 0) throw new CgroupException($"open cgroup {cgroupDir}", cgroupDir, -fd);
        return fd;
    }

    private static uint[] Query(int dirFd, string cgroupDir)
    {
        var capacity = 16u;
        while (true)
        {
            var ids = new uint[capacity];
            fixed (uint* p = ids)
            {
                var attr = new BpfNative.ProgQueryAttr
                {
                    TargetFd = (uint)dirFd,
                    AttachType = BpfNative.BPF_CGROUP_DEVICE,
                    ProgIds = (ulong)p,
                    ProgCnt = capacity,
                };
                var r = BpfNative.Call(BpfNative.BPF_PROG_QUERY, ref attr);
                // ENOSPC: the array was too small; prog_cnt now holds the real count.
                if (r == -Interop.Errno.ENOSPC && attr.ProgCnt > capacity)
                {
                    capacity = attr.ProgCnt;
                    continue;
                }
                // EBADF: the directory is not on a cgroup2 mount (e.g. a v1 hierarchy).
                if (r == -Interop.Errno.EBADF) throw new CgroupException($"query device filters of cgroup {cgroupDir} (not a cgroup v2 directory?)", cgroupDir, -r);
                if (r < 0) throw new CgroupException($"query device filters of cgroup {cgroupDir}", cgroupDir, -r);
                return ids.AsSpan(0, (int)Math.Min(attr.ProgCnt, capacity)).ToArray();
            }
        }
    }

    private static int Load(BpfInstruction[] program, string cgroupDir)
    {
        var fd = TryLoad(program, logBuffer: null);
        if (fd == -Interop.Errno.EPERM)
        {
            // Before Linux 5.11 eBPF memory is charged to RLIMIT_MEMLOCK, whose default is tiny; raise it for the load
            // only (runc raises it for good) so that the container's processes do not inherit the raised limit.
            if (BpfNative.TryGetMemlock(out var old) &&
                BpfNative.TrySetMemlock(new Libc.Rlimit { Cur = ulong.MaxValue, Max = ulong.MaxValue }))
            {
                try
                {
                    fd = TryLoad(program, logBuffer: null);
                }
                finally
                {
                    BpfNative.TrySetMemlock(old);
                }
            }
        }
        if (fd >= 0) return fd;

        // Load again with the verifier log on, so the error says why (cheap: this only happens on failure).
        var log = new byte[VerifierLogSize];
        var again = TryLoad(program, log);
        if (again >= 0) return again;
        var text = ReadLog(log);
        var op = $"load device filter eBPF program for cgroup {cgroupDir}";
        if (text.Length > 0) op += $" (verifier log: {text})";
        throw new CgroupException(op, cgroupDir, -fd);
    }

    private static int TryLoad(BpfInstruction[] program, byte[]? logBuffer)
    {
        var license = Encoding.ASCII.GetBytes(License + "\0");
        fixed (BpfInstruction* insns = program)
        fixed (byte* lic = license)
        fixed (byte* log = logBuffer)
        {
            var attr = new BpfNative.ProgLoadAttr
            {
                ProgType = BpfNative.BPF_PROG_TYPE_CGROUP_DEVICE,
                InsnCnt = (uint)program.Length,
                Insns = (ulong)insns,
                License = (ulong)lic,
            };
            if (logBuffer is not null)
            {
                attr.LogLevel = 1;
                attr.LogSize = (uint)logBuffer.Length;
                attr.LogBuf = (ulong)log;
            }
            var name = Encoding.ASCII.GetBytes(ProgramName);
            for (var i = 0; i < name.Length && i < 15; i++) attr.ProgName[i] = name[i];
            return BpfNative.Call(BpfNative.BPF_PROG_LOAD, ref attr);
        }
    }

    private static string ReadLog(byte[] log)
    {
        var end = Array.IndexOf(log, (byte)0);
        var text = Encoding.UTF8.GetString(log, 0, end < 0 ? log.Length : end).Trim();
        if (text.Length > MaxLogInMessage) text = "..." + text[^MaxLogInMessage..];
        return text.Replace('\n', ';');
    }
}
