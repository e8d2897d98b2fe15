using Carton.Linux.IO;
using Carton.Linux.Processes;

namespace Carton.Service;

/// <summary>
/// The daemon's two directories, checked before it listens. The socket's directory must not let anyone else replace
/// the socket (whoever can write there can unlink it and listen in the daemon's place): it is owned by the daemon's
/// user and not writable by group or others. The state root holds the containers' state: it is created 0700, an
/// existing one must be owned by the daemon's user and not writable by others, and one that others may read or
/// enter is narrowed to 0700.
/// </summary>
public static class DaemonDirectories
{
    private const uint GroupOrOtherWrite = 0x12;      // 020 | 002
    private const uint GroupOrOtherAccess = 0x3F;     // 077
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates the socket's directory (0700) or checks the existing one; throws naming the path otherwise.</summary>
    public static void PrepareSocketDirectory(string socketPath)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(socketPath))!;
        if (!Directory.Exists(dir)) Directory.CreateDirectory(dir, OwnerOnly);
        var st = Stat(dir, "the socket's directory");
        uint me = CurrentProcess.EffectiveUserId;
        if (st.Uid != me)
            throw new IOException($"the socket's directory {dir} is owned by uid {st.Uid}, not {me}: another user could replace the socket");
        if ((st.Mode & GroupOrOtherWrite) != 0)
            throw new IOException($"the socket's directory {dir} is writable by group or others (mode {Octal(st.Mode)}): another user could replace the socket");
    }

    /// <summary>Creates the state root 0700, or checks an existing one and narrows it to 0700; returns a warning when it narrowed it.</summary>
    public static string? PrepareStateRoot(string root)
    {
        if (!Directory.Exists(root))
        {
            Directory.CreateDirectory(root, OwnerOnly);
            File.SetUnixFileMode(root, OwnerOnly); // CreateDirectory leaves existing parents alone and honours the umask
            return null;
        }
        var st = Stat(root, "the state root");
        uint me = CurrentProcess.EffectiveUserId;
        if (st.Uid != me)
            throw new IOException($"the state root {root} is owned by uid {st.Uid}, not {me}");
        if ((st.Mode & GroupOrOtherWrite) != 0)
            throw new IOException($"the state root {root} is writable by group or others (mode {Octal(st.Mode)})");
        if ((st.Mode & GroupOrOtherAccess) == 0) return null;
        File.SetUnixFileMode(root, OwnerOnly);
        return $"the state root {root} was mode {Octal(st.Mode)}: narrowed to 0700";
    }

    private static FileStatus Stat(string path, string what)
    {
        var st = FileStatus.OfPath(path, followSymlinks: false) ?? throw new IOException($"{what} {path}: cannot stat it");
        if (!st.IsDirectory) throw new IOException($"{what} {path} is not a directory{(st.IsSymlink ? " (a symlink)" : "")}");
        return st;
    }

    private static string Octal(uint mode) => "0" + Convert.ToString(mode & 0xFFF, 8);
}
