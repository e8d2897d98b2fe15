using System.Runtime.InteropServices;
using Carton.Linux.Interop;

namespace Carton.Linux.ProcessSetup;

/// <summary>The calling process's working directory, through chdir(2) and getcwd(3) (not the .NET wrappers, which cache
/// and normalize).</summary>
public static unsafe class WorkingDirectory
{
    /// <summary>chdir(2); returns 0 or the errno.</summary>
    public static int TryChange(string path) => Libc.chdir(path) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>
    /// getcwd(3) as the kernel reports it; throws "<paramref name="operation"/>: ..." on failure. A directory outside
    /// the caller's root shows up as a path that does not start with "/" (CVE-2024-21626).
    /// </summary>
    public static string Current(string operation)
    {
        var buf = stackalloc byte[4096];
        if (Libc.getcwd(buf, 4096) == null) throw SyscallException.Last(operation);
        return System.Text.Encoding.UTF8.GetString(System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpanFromNullTerminated(buf));
    }
}
