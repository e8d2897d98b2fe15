using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Linux.IO;

/// <summary>SCM_RIGHTS over a Unix socket: the console-socket protocol of runc's docs/terminals.md.</summary>
public static unsafe class FdPassing
{
    public static void Send(int socket, int fd, string name)
    {
        var payload = System.Text.Encoding.UTF8.GetBytes(name);
        const int space = 24; // CMSG_SPACE(sizeof(int))
        var control = stackalloc byte[space];
        new Span<byte>(control, space).Clear();
        var cmsg = (Libc.CmsgHdr*)control;
        cmsg->Len = (nuint)(sizeof(Libc.CmsgHdr) + sizeof(int));
        cmsg->Level = Libc.SOL_SOCKET;
        cmsg->Type = Libc.SCM_RIGHTS;
        *(int*)(control + sizeof(Libc.CmsgHdr)) = fd;
        fixed (byte* p = payload)
        {
            var iov = new Libc.IoVec { Base = p, Len = (nuint)payload.Length };
            var msg = new Libc.MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = space };
            if (Libc.sendmsg(socket, &msg, 0) < 0) throw SyscallException.Last("send pty master to the console socket");
        }
    }

    /// <summary>Receives one fd (and its name); returns -1 on EOF.</summary>
    public static int Receive(int socket, out string name)
    {
        const int space = 24;
        var control = stackalloc byte[space];
        var buffer = stackalloc byte[4096];
        var iov = new Libc.IoVec { Base = buffer, Len = 4096 };
        var msg = new Libc.MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = space };
        nint n = Libc.recvmsg(socket, &msg, 0x40000000 /* MSG_CMSG_CLOEXEC */);
        if (n < 0) throw SyscallException.Last("receive pty master from the console socket");
        name = System.Text.Encoding.UTF8.GetString(buffer, (int)n);
        if (msg.ControlLen < (nuint)sizeof(Libc.CmsgHdr)) return -1;
        var cmsg = (Libc.CmsgHdr*)control;
        if (cmsg->Level != Libc.SOL_SOCKET || cmsg->Type != Libc.SCM_RIGHTS) return -1;
        return *(int*)(control + sizeof(Libc.CmsgHdr));
    }

    /// <summary>Connects a SOCK_STREAM Unix socket to <paramref name="path"/> (the --console-socket argument).</summary>
    public static int Connect(string path)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(path);
        if (bytes.Length >= 108) throw new InvalidOperationException($"--console-socket: path {path} is longer than 107 bytes");
        int fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) throw SyscallException.Last("create socket for --console-socket");
        var addr = stackalloc byte[110];
        new Span<byte>(addr, 110).Clear();
        addr[0] = Libc.AF_UNIX;
        bytes.CopyTo(new Span<byte>(addr + 2, bytes.Length));
        if (Libc.connect(fd, addr, (uint)(2 + bytes.Length + 1)) < 0)
        {
            int e = Marshal.GetLastPInvokeError();
            Libc.close(fd);
            throw new SyscallException($"connect to console socket {path}", e);
        }
        return fd;
    }
}
