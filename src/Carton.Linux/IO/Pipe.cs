using Carton.Linux.Interop;

namespace Carton.Linux.IO;

/// <summary>A pipe, both ends close-on-exec.</summary>
public static unsafe class Pipe
{
    /// <summary>pipe2(O_CLOEXEC); throws "<paramref name="operation"/>: ..." on failure.</summary>
    public static (int Read, int Write) Create(string operation)
    {
        int* fds = stackalloc int[2];
        if (Libc.pipe2(fds, Libc.O_CLOEXEC) < 0) throw SyscallException.Last(operation);
        return (fds[0], fds[1]);
    }
}
