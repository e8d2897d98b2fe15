using Carton.Linux.Interop;

namespace Carton.Linux.IO;

/// <summary>
/// What stat(2) says about a file, independent of the architecture's <c>struct stat</c> layout
/// (<see cref="Arch.Layouts"/>): device and inode, type and mode bits, owner, device number, size.
/// </summary>
public readonly record struct FileStatus(ulong Dev, ulong Ino, ulong Nlink, uint Mode, uint Uid, uint Gid, ulong Rdev, long Size)
{
    /// <summary>S_IFMT and the file types it selects.</summary>
    public const uint TypeMask = 0xF000, Directory = 0x4000, CharacterDevice = 0x2000, BlockDevice = 0x6000, RegularFile = 0x8000,
        Fifo = 0x1000, Symlink = 0xA000, Socket = 0xC000;

    /// <summary>st_mtim: the modification time, seconds since the epoch.</summary>
    public long ModifiedSeconds { get; init; }

    /// <summary>st_mtim: the nanoseconds of the modification time.</summary>
    public long ModifiedNanoseconds { get; init; }

    /// <summary>The S_IFMT bits of <see cref="Mode"/>.</summary>
    public uint Type => Mode & TypeMask;
    public bool IsDirectory => Type == Directory;
    public bool IsRegularFile => Type == RegularFile;
    public bool IsSymlink => Type == Symlink;
    public bool IsSocket => Type == Socket;
    public bool IsCharacterDevice => Type == CharacterDevice;

    /// <summary>fstat of an open fd; throws "stat <paramref name="what"/>: ..." on failure.</summary>
    public static FileStatus Of(int fd, string what) =>
        TryOf(fd, out var st) ? st : throw SyscallException.Last($"stat {what}");

    /// <summary>fstat of an open fd; false when it fails.</summary>
    public static unsafe bool TryOf(int fd, out FileStatus status)
    {
        var buf = stackalloc byte[Arch.MaxStatSize];
        if (Libc.fstat(fd, buf) < 0) { status = default; return false; }
        status = Decode(buf);
        return true;
    }

    /// <summary>stat of a host path, or null when it cannot be stat'ed. Symlinks are followed unless
    /// <paramref name="followSymlinks"/> is false (lstat).</summary>
    public static FileStatus? OfPath(string path, bool followSymlinks = true) =>
        TryOfAt(Libc.AT_FDCWD, path, followSymlinks, out var st) ? st : null;

    /// <summary>fstatat relative to <paramref name="dirFd"/>; false when it fails.</summary>
    public static unsafe bool TryOfAt(int dirFd, string path, bool followSymlinks, out FileStatus status)
    {
        var buf = stackalloc byte[Arch.MaxStatSize];
        if (Libc.fstatat(dirFd, path, buf, followSymlinks ? 0 : Libc.AT_SYMLINK_NOFOLLOW) < 0) { status = default; return false; }
        status = Decode(buf);
        return true;
    }

    private static unsafe FileStatus Decode(byte* p)
    {
        var l = Arch.Layouts;
        return new FileStatus(
            *(ulong*)(p + l.StatDev), *(ulong*)(p + l.StatIno), *(ulong*)(p + l.StatNlink), *(uint*)(p + l.StatMode),
            *(uint*)(p + l.StatUid), *(uint*)(p + l.StatGid), *(ulong*)(p + l.StatRdev), *(long*)(p + l.StatFileSize))
        {
            ModifiedSeconds = *(long*)(p + l.StatMtime),
            ModifiedNanoseconds = *(long*)(p + l.StatMtime + 8),
        };
    }
}
