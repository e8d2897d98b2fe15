namespace Carton.Linux.Cgroups;

/// <summary>
/// A cgroup operation failed or a cgroup configuration is invalid. The message always names the file or
/// directory involved and, for system-call failures, ends with the errno text and name ("... (EBUSY)") so
/// that the CLI can print it unchanged, the way runc reports cgroup errors.
/// </summary>
public sealed class CgroupException : Exception
{
    /// <summary>The errno of the failing system call, or 0 when the failure is not a system-call error (e.g. a bad cgroupsPath).</summary>
    public int Errno { get; }

    /// <summary>The file or directory involved, when there is one.</summary>
    public string? Path { get; }

    public CgroupException(string message) : base(message) { }

    public CgroupException(string message, Exception inner) : base(message, inner) { }

    /// <summary>"&lt;operation&gt;: &lt;strerror&gt; (&lt;ENAME&gt;)", e.g. "remove cgroup /sys/fs/cgroup/memory/x: device or resource busy (EBUSY)".</summary>
    public CgroupException(string operation, string? path, int errno, Exception? inner = null)
        : base($"{operation}: {Interop.Errno.Describe(errno)}", inner)
    {
        Errno = errno;
        Path = path;
    }
}
