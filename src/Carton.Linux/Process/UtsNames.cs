using Carton.Linux.Interop;

namespace Carton.Linux.ProcessSetup;

/// <summary>The host and domain names of the UTS namespace the caller is in.</summary>
public static class UtsNames
{
    /// <summary>sethostname(2); throws "<paramref name="operation"/>: ..." on failure.</summary>
    public static void SetHostname(string name, string operation)
    {
        if (Libc.sethostname(name, (nuint)System.Text.Encoding.UTF8.GetByteCount(name)) < 0) throw SyscallException.Last(operation);
    }

    /// <summary>setdomainname(2); throws "<paramref name="operation"/>: ..." on failure.</summary>
    public static void SetDomainname(string name, string operation)
    {
        if (Libc.setdomainname(name, (nuint)System.Text.Encoding.UTF8.GetByteCount(name)) < 0) throw SyscallException.Last(operation);
    }
}
