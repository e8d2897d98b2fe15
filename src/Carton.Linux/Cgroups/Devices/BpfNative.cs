using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Linux.Cgroups.Devices;

/// <summary>
/// The bpf(2) commands the device filter needs, with the exact <c>union bpf_attr</c> member layouts
/// (include/uapi/linux/bpf.h). Each layout is an explicit struct whose size is what is passed as the attr size;
/// unused members stay zero, which the kernel requires of any byte it does not know about.
/// </summary>
internal static unsafe class BpfNative
{
    public const int BPF_PROG_LOAD = 5, BPF_PROG_ATTACH = 8, BPF_PROG_DETACH = 9, BPF_PROG_GET_FD_BY_ID = 13, BPF_PROG_QUERY = 16;
    public const uint BPF_PROG_TYPE_CGROUP_DEVICE = 15;
    public const uint BPF_CGROUP_DEVICE = 6;
    public const uint BPF_F_ALLOW_MULTI = 2;
    private const int RLIMIT_MEMLOCK = 8;

    /// <summary>BPF_PROG_LOAD, up to and including expected_attach_type (72 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 72)]
    public struct ProgLoadAttr
    {
        [FieldOffset(0)] public uint ProgType;
        [FieldOffset(4)] public uint InsnCnt;
        [FieldOffset(8)] public ulong Insns;
        [FieldOffset(16)] public ulong License;
        [FieldOffset(24)] public uint LogLevel;
        [FieldOffset(28)] public uint LogSize;
        [FieldOffset(32)] public ulong LogBuf;
        [FieldOffset(40)] public uint KernVersion;
        [FieldOffset(44)] public uint ProgFlags;
        [FieldOffset(48)] public fixed byte ProgName[16];
        [FieldOffset(64)] public uint ProgIfindex;
        [FieldOffset(68)] public uint ExpectedAttachType;
    }

    /// <summary>BPF_PROG_ATTACH / BPF_PROG_DETACH (20 bytes, through replace_bpf_fd).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 20)]
    public struct ProgAttachAttr
    {
        [FieldOffset(0)] public uint TargetFd;
        [FieldOffset(4)] public uint AttachBpfFd;
        [FieldOffset(8)] public uint AttachType;
        [FieldOffset(12)] public uint AttachFlags;
        [FieldOffset(16)] public uint ReplaceBpfFd;
    }

    /// <summary>BPF_PROG_QUERY (32 bytes: through prog_cnt, padded to the 8-byte alignment of the struct).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    public struct ProgQueryAttr
    {
        [FieldOffset(0)] public uint TargetFd;
        [FieldOffset(4)] public uint AttachType;
        [FieldOffset(8)] public uint QueryFlags;
        [FieldOffset(12)] public uint AttachFlags;
        [FieldOffset(16)] public ulong ProgIds;
        [FieldOffset(24)] public uint ProgCnt;
    }

    /// <summary>BPF_PROG_GET_FD_BY_ID (12 bytes: prog_id, next_id, open_flags).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 12)]
    public struct GetFdByIdAttr
    {
        [FieldOffset(0)] public uint ProgId;
        [FieldOffset(4)] public uint NextId;
        [FieldOffset(8)] public uint OpenFlags;
    }

    private static long SysBpf => Interop.Arch.Syscalls.Bpf;

    /// <summary>bpf(cmd, &amp;attr, sizeof(attr)); returns the (non-negative) result or -errno. Retries EINTR/EAGAIN a few times.</summary>
    public static int Call<T>(int cmd, ref T attr) where T : unmanaged
    {
        for (var attempt = 0; ; attempt++)
        {
            long r;
            fixed (T* p = &attr) r = Libc.syscall(SysBpf, cmd, (long)p, sizeof(T), 0, 0, 0);
            if (r >= 0) return (int)r;
            var errno = Marshal.GetLastPInvokeError();
            // PROG_LOAD can fail with EAGAIN while the verifier is interrupted by a signal; libbpf retries it too.
            if ((errno == Interop.Errno.EINTR || errno == Interop.Errno.EAGAIN) && attempt < 5) continue;
            return -errno;
        }
    }

    /// <summary>open(path, O_RDONLY|O_DIRECTORY|O_CLOEXEC); returns the fd or -errno.</summary>
    public static int OpenDirectory(string path)
    {
        var fd = Libc.open(path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    public static void Close(int fd)
    {
        if (fd >= 0) Libc.close(fd);
    }

    /// <summary>Reads RLIMIT_MEMLOCK; false if it cannot be read.</summary>
    public static bool TryGetMemlock(out Libc.Rlimit limit)
    {
        Libc.Rlimit l;
        var ok = Libc.prlimit(0, RLIMIT_MEMLOCK, null, &l) == 0;
        limit = l;
        return ok;
    }

    public static bool TrySetMemlock(Libc.Rlimit limit) => Libc.prlimit(0, RLIMIT_MEMLOCK, &limit, null) == 0;
}
