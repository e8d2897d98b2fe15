using Carton.Linux.Interop;

namespace Carton.Linux.Spawn;

/// <summary>A spawn that failed in the child, with the step, the errno, and the index into the step's table.</summary>
public sealed class SpawnException : CartonException
{
    public SpawnStep Step { get; }
    public int Index { get; }

    /// <param name="failed">when given, names the failed operation in full (a namespace join names its config
    /// entry: "linux.namespaces: join cgroup namespace /proc/1/ns/ipc") and replaces "what: step".</param>
    public SpawnException(SpawnStep step, int errno, int index, string what, string? failed = null)
        : base(ErrorTable.KindOfErrno(errno), $"{failed ?? $"{what}: {Errno_Describe(step, index)}"}: {Interop.Errno.Describe(errno)}", errno: errno)
    {
        Step = step; Index = index;
    }

    private static string Errno_Describe(SpawnStep step, int index) => step switch
    {
        SpawnStep.Setns => $"join namespace #{index}",
        SpawnStep.UsernsMap => index switch { 0 => "write setgroups", 1 => "write uid_map", _ => "write gid_map" },
        SpawnStep.UsernsSync => "wait for user namespace maps",
        SpawnStep.SetId => "become root in the user namespace",
        SpawnStep.Unshare => "create namespaces",
        SpawnStep.Fds => $"prepare fd #{index}",
        SpawnStep.Chdir => "chdir",
        SpawnStep.Exec => "exec",
        SpawnStep.Setsid => "setsid",
        SpawnStep.Pipe => "pipe",
        _ => "clone",
    };
}
