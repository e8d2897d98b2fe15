using Carton.Linux.Interop;

namespace Carton.Linux.IO;

/// <summary>A connected pair of Unix stream sockets, both close-on-exec: a channel to a child process, or a stand-in
/// for a --console-socket.</summary>
public static unsafe class SocketPair
{
    /// <summary>socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC); throws "<paramref name="operation"/>: ..." on failure.</summary>
    public static (int First, int Second) Create(string operation)
    {
        int* pair = stackalloc int[2];
        if (Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, pair) < 0)
            throw SyscallException.Last(operation);
        return (pair[0], pair[1]);
    }
}
