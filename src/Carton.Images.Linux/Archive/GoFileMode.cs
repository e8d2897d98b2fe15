using Carton.Linux.IO;

namespace Carton.Images.Linux.Archive;

/// <summary>Go's os.FileMode bits (io/fs), which Docker's API carries as they are: st_mode's type and special bits
/// moved to the top of a uint32, the permission bits kept.</summary>
public static class GoFileMode
{
    public const uint Dir = 1u << 31, Append = 1u << 30, Exclusive = 1u << 29, Temporary = 1u << 28, Symlink = 1u << 27,
        Device = 1u << 26, NamedPipe = 1u << 25, Socket = 1u << 24, Setuid = 1u << 23, Setgid = 1u << 22,
        CharDevice = 1u << 21, Sticky = 1u << 20, Irregular = 1u << 19, Perm = 0x1FF;

    /// <summary>The FileMode Go's os.Lstat gives for a file whose st_mode is <paramref name="stMode"/>.</summary>
    public static uint FromStatMode(uint stMode)
    {
        uint mode = stMode & Perm;
        mode |= (stMode & FileStatus.TypeMask) switch
        {
            FileStatus.BlockDevice => Device,
            FileStatus.CharacterDevice => Device | CharDevice,
            FileStatus.Directory => Dir,
            FileStatus.Fifo => NamedPipe,
            FileStatus.Symlink => Symlink,
            FileStatus.Socket => Socket,
            _ => 0,
        };
        if ((stMode & 0x800) != 0) mode |= Setuid;
        if ((stMode & 0x400) != 0) mode |= Setgid;
        if ((stMode & 0x200) != 0) mode |= Sticky;
        return mode;
    }
}
