namespace Carton.Linux.Spawn;

/// <summary>What a child should become: the table C# prepares for the native helper.</summary>
public sealed class SpawnOptions
{
    /// <summary>Path to execve; ignored when <see cref="ExecFd"/> is set.</summary>
    public string Path { get; set; } = "";
    /// <summary>An fd to execveat(fd, "", AT_EMPTY_PATH), such as a sealed memfd copy of carton.</summary>
    public int ExecFd { get; set; } = -1;
    public IReadOnlyList<string> Args { get; set; } = [];
    public IReadOnlyList<string> Env { get; set; } = [];
    /// <summary>Namespaces to setns into, in order; a user namespace must come first.</summary>
    public List<NamespaceJoin> Joins { get; } = [];
    /// <summary>True when <see cref="Joins"/> holds a pid namespace (the exec then happens in a child of the joiner).</summary>
    public bool JoinsPidNamespace { get; set; }
    /// <summary>CLONE_NEW* flags to create (cgroup and time namespaces are not created here; see ContainerInit).</summary>
    public int NewNamespaceFlags { get; set; }
    public string? UidMap { get; set; }
    public string? GidMap { get; set; }
    public bool SetgroupsDeny { get; set; }
    /// <summary>newuidmap/newgidmap paths for an unprivileged caller that maps several ranges (rootless).</summary>
    public string? UidMapHelper { get; set; }
    public string? GidMapHelper { get; set; }
    /// <summary>dup2(source, target) pairs, applied in order in the child.</summary>
    public List<(int Source, int Target)> Dups { get; } = [];
    /// <summary>fds the child keeps across exec (their FD_CLOEXEC is cleared in the child only).</summary>
    public List<int> KeepFds { get; } = [];
    public string? WorkingDirectory { get; set; }
    public bool NewSession { get; set; }
}

/// <summary>
/// One namespace to join: setns(<paramref name="Fd"/>, <paramref name="Type"/>). <paramref name="Type"/> is the
/// CLONE_NEW* flag of the namespace the caller means, so the kernel refuses an fd of another type (EINVAL), as runc
/// and crun do (0 would accept any). <paramref name="What"/> names it in an error, e.g.
/// "linux.namespaces: join cgroup namespace /proc/1/ns/ipc".
/// </summary>
public readonly record struct NamespaceJoin(int Fd, int Type, string What);
