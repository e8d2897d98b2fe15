using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Linux.ProcessSetup;

/// <summary>Brings "lo" up in a new network namespace, as runc does for a container with its own network namespace.</summary>
public static unsafe class Loopback
{
    public static void Up()
    {
        int s = Libc.socket(2 /* AF_INET */, 2 /* SOCK_DGRAM */ | Libc.SOCK_CLOEXEC, 0);
        if (s < 0) throw SyscallException.Last("socket for loopback setup");
        try
        {
            var ifr = stackalloc byte[40];
            new Span<byte>(ifr, 40).Clear();
            ifr[0] = (byte)'l'; ifr[1] = (byte)'o';
            if (Libc.ioctl(s, Libc.SIOCGIFFLAGS, ifr) < 0) throw SyscallException.Last("get flags of lo");
            *(short*)(ifr + 16) |= 1 /* IFF_UP */;
            if (Libc.ioctl(s, Libc.SIOCSIFFLAGS, ifr) < 0) throw SyscallException.Last("bring lo up");
        }
        finally { Libc.close(s); }
    }
}
