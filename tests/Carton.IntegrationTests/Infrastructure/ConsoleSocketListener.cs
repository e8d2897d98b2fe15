using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Carton.IntegrationTests.Infrastructure;

/// <summary>
/// The receiving end of `--console-socket`: listens on a unix stream socket, accepts the runtime's
/// connection and receives the pty master fd sent with SCM_RIGHTS (recvmsg via P/Invoke), then reads
/// what the container writes to its terminal. All libc interop of the suite lives in this file.
/// </summary>
public sealed unsafe partial class ConsoleSocketListener : IDisposable
{
    private const int SolSocket = 1;
    private const int ScmRights = 1;
    private const int Eintr = 4;
    private const int Eagain = 11;
    private const short Pollin = 0x1;
    private const int MsgCmsgCloexec = 0x40000000;

    private readonly Socket _listener;

    public ConsoleSocketListener(string path)
    {
        SocketPath = path;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(1);
    }

    public string SocketPath { get; }

    /// <summary>The data payload sent alongside the fd (runc sends the pty slave's path).</summary>
    public string? ReceivedName { get; private set; }

    /// <summary>Starts accepting in the background; the task yields the received master fd.</summary>
    public Task<int> AcceptMasterAsync(TimeSpan timeout) => Task.Run(() =>
    {
        if (!_listener.Poll((int)timeout.TotalMicroseconds, SelectMode.SelectRead))
        {
            throw new TimeoutException($"no connection on console socket {SocketPath} within {timeout}");
        }
        using var conn = _listener.Accept();
        return ReceiveFd((int)conn.SafeHandle.DangerousGetHandle(), timeout);
    });

    private int ReceiveFd(int sock, TimeSpan timeout)
    {
        var data = new byte[4096];
        var control = new byte[256];
        fixed (byte* pData = data)
        fixed (byte* pControl = control)
        {
            var iov = new IoVec { Base = pData, Len = (nuint)data.Length };
            var msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = pControl, ControlLen = (nuint)control.Length };
            nint n;
            var sw = Stopwatch.StartNew();
            while ((n = recvmsg(sock, &msg, MsgCmsgCloexec)) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != Eintr && errno != Eagain)
                {
                    throw new IOException($"recvmsg failed: errno {errno}");
                }
                if (sw.Elapsed > timeout)
                {
                    throw new TimeoutException("recvmsg timed out");
                }
                WaitReadable(sock, 100);
            }
            ReceivedName = Encoding.UTF8.GetString(data, 0, (int)n).TrimEnd('\0');

            // Walk the control messages for SCM_RIGHTS.
            var offset = 0;
            var headerSize = sizeof(CmsgHdr);
            while (offset + headerSize <= (int)msg.ControlLen)
            {
                var hdr = (CmsgHdr*)(pControl + offset);
                if (hdr->Len < (nuint)headerSize)
                {
                    break;
                }
                if (hdr->Level == SolSocket && hdr->Type == ScmRights && hdr->Len >= (nuint)(headerSize + sizeof(int)))
                {
                    return *(int*)(pControl + offset + headerSize);
                }
                offset += (int)((hdr->Len + 7) & ~(nuint)7);
            }
            throw new IOException($"console socket message ({n} bytes, payload '{ReceivedName}') carried no SCM_RIGHTS fd");
        }
    }

    /// <summary>
    /// Reads from <paramref name="fd"/> until EOF/EIO (the slave side was closed), <paramref name="until"/>
    /// returns true for the text read so far, or the timeout expires. Returns everything read.
    /// </summary>
    public static string ReadTerminal(int fd, TimeSpan timeout, Func<string, bool>? until = null)
    {
        var sb = new StringBuilder();
        var buf = new byte[4096];
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (!WaitReadable(fd, 100))
            {
                continue;
            }
            nint n;
            fixed (byte* p = buf)
            {
                n = read(fd, p, (nuint)buf.Length);
            }
            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno is Eintr or Eagain)
                {
                    continue;
                }
                break; // EIO: every slave fd closed
            }
            if (n == 0)
            {
                break;
            }
            sb.Append(Encoding.UTF8.GetString(buf, 0, (int)n));
            if (until?.Invoke(sb.ToString()) == true)
            {
                break;
            }
        }
        return sb.ToString();
    }

    public static void CloseFd(int fd)
    {
        if (fd >= 0)
        {
            close(fd);
        }
    }

    private static bool WaitReadable(int fd, int timeoutMs)
    {
        var pfd = new PollFd { Fd = fd, Events = Pollin };
        return poll(&pfd, 1, timeoutMs) > 0;
    }

    public void Dispose()
    {
        _listener.Dispose();
        try
        {
            File.Delete(SocketPath);
        }
        catch (IOException)
        {
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public byte* Base;
        public nuint Len;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public void* Control;
        public nuint ControlLen;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CmsgHdr
    {
        public nuint Len;
        public int Level;
        public int Type;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recvmsg(int sockfd, MsgHdr* msg, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint read(int fd, byte* buf, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int poll(PollFd* fds, nuint nfds, int timeout);
}
