using System.Runtime.InteropServices;
using Carton.Linux.Interop;
using Carton.Linux.Rootfs;

namespace Carton.Linux.ProcessSetup;

/// <summary>
/// The container's terminal (process.terminal; runc's docs/terminals.md). The pty pair comes from the container's
/// own devpts; /dev/ptmx is checked by fstat to be a pty multiplexer before use, and the slave is opened from the
/// master with TIOCGPTPEER, never by a /dev/pts/N path the container could have replaced (CVE-2025-52565).
/// </summary>
public static unsafe class Pty
{
    public static (int Master, int Slave) OpenInRoot(int rootFd)
    {
        int path = SecurePath.TryOpen(rootFd, "/dev/ptmx", Libc.O_RDWR | Libc.O_NOCTTY);
        if (path < 0) throw new SyscallException("open /dev/ptmx in the container (process.terminal)", -path);
        var st = FileType.Of(path, "/dev/ptmx");
        if ((st.Mode & Libc.S_IFMT) != Libc.S_IFCHR || FileType.Major(st.Rdev) != 5 || FileType.Minor(st.Rdev) != 2)
        {
            Libc.close(path);
            throw new InvalidOperationException("/dev/ptmx in the container is not a pty multiplexer (5:2); refusing to use it for process.terminal");
        }
        int master = path;
        int unlock = 0;
        if (Libc.ioctl(master, Libc.TIOCSPTLCK, &unlock) < 0) { Libc.close(master); throw SyscallException.Last("unlock pty"); }
        int slave = Libc.ioctl(master, Libc.TIOCGPTPEER, (void*)(nint)(Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC));
        if (slave < 0) { Libc.close(master); throw SyscallException.Last("open pty slave (TIOCGPTPEER)"); }
        return (master, slave);
    }

    public static string SlaveName(int master)
    {
        uint n;
        if (Libc.ioctl(master, Libc.TIOCGPTN, &n) < 0) throw SyscallException.Last("TIOCGPTN");
        return "/dev/pts/" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public static void SetSize(int fd, ushort rows, ushort cols)
    {
        var ws = new Libc.WinSize { Rows = rows, Cols = cols };
        if (Libc.ioctl(fd, Libc.TIOCSWINSZ, &ws) < 0) throw SyscallException.Last("set terminal size");
    }

    /// <summary>Makes <paramref name="slave"/> the controlling terminal and stdio of the calling process.</summary>
    public static void BecomeControllingTerminal(int slave)
    {
        if (Libc.setsid() < 0) throw SyscallException.Last("setsid");
        if (Libc.ioctl(slave, Libc.TIOCSCTTY, null) < 0) throw SyscallException.Last("set controlling terminal");
        for (int fd = 0; fd <= 2; fd++)
            if (Libc.dup3(slave, fd, 0) < 0) throw SyscallException.Last($"dup pty to fd {fd}");
    }
}
