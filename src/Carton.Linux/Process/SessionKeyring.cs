using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Linux.ProcessSetup;

/// <summary>The kernel session keyring (keyctl(2)); runc gives each container its own, so containers do not share the host's keys.</summary>
public static unsafe class SessionKeyring
{
    /// <summary>
    /// KEYCTL_JOIN_SESSION_KEYRING: joins (creating it if needed) the keyring <paramref name="name"/> as this thread
    /// group's session keyring. Returns 0 or the errno.
    /// </summary>
    public static int TryJoinNew(string name)
    {
        // Deliberately not freed: the name stays valid for the rest of this short-lived process, which execs next.
        var bytes = Libc.Utf8Z(name);
        var p = (byte*)NativeMemory.Alloc((nuint)bytes.Length);
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        return Libc.syscall(Arch.Syscalls.Keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, (long)p, 0, 0, 0, 0) < 0
            ? Marshal.GetLastPInvokeError() : 0;
    }
}
