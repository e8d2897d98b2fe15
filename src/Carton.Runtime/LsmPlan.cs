using System.Text.Json.Serialization;
using Carton.Linux.IO;
using Carton.Linux.Interop;
using Carton.Linux.Security;

namespace Carton.Runtime;

/// <summary>One write of an LSM attribute file of the init's main thread.</summary>
public sealed class LsmWrite
{
    [JsonPropertyName("path")] public string Path { get; set; } = "";
    [JsonPropertyName("value")] public string Value { get; set; } = "";
    /// <summary>The config field it comes from, for errors.</summary>
    [JsonPropertyName("field")] public string Field { get; set; } = "";
}

/// <summary>
/// AppArmor and SELinux for one process, decided from the config and the host's facts (pure: unit-tested without
/// either LSM). <see cref="ExecWrites"/> are written, in order, by the init's main thread in its last phase before
/// execve (before seccomp, the capability and uid changes, as runc does: the attr files of a non-dumpable process
/// belong to root); the kernel applies them at execve. <see cref="MountLabel"/> goes into the data of the
/// container's mounts as context="...". Where the host lacks the LSM a field needs, the config is refused at create
/// (or exec), naming the field: runc fails too (SELinux label: refused up front; AppArmor profile: the write of
/// /proc/self/attr/exec fails in the init; mount label: the mount fails with EINVAL), carton only fails earlier.
/// </summary>
public sealed class LsmPlan
{
    /// <summary>The AppArmor exec attr: AppArmor's own file on Linux 5.8+, the shared one before.</summary>
    public const string AppArmorExecAttr = "/proc/thread-self/attr/apparmor/exec";
    public const string SharedExecAttr = "/proc/thread-self/attr/exec";

    public IReadOnlyList<LsmWrite> ExecWrites { get; init; } = [];
    public string? MountLabel { get; init; }

    /// <param name="process">the process to be exec'd (the container's, or exec's).</param>
    /// <param name="mountLabel">linux.mountLabel (ignored for exec: it mounts nothing).</param>
    /// <param name="host">the host's LSMs.</param>
    /// <param name="exec">true for `exec` (the process joins a running container).</param>
    public static LsmPlan Compute(Oci.Process? process, string? mountLabel, LsmHostFacts host, bool exec)
    {
        var writes = new List<LsmWrite>();
        if (process?.ApparmorProfile is { Length: > 0 } profile)
        {
            if (!host.AppArmorEnabled)
                throw new RuntimeError($"process.apparmorProfile: \"{profile}\" is requested but AppArmor is not enabled on this host", ErrorKind.Unsupported, "process.apparmorProfile");
            writes.Add(new LsmWrite { Path = host.AppArmorOwnAttrDir ? AppArmorExecAttr : SharedExecAttr, Value = "exec " + profile, Field = "process.apparmorProfile" });
        }
        if (process?.SelinuxLabel is { Length: > 0 } label)
        {
            if (!host.SelinuxEnabled)
                throw new RuntimeError($"process.selinuxLabel: \"{label}\" is requested but SELinux is not enabled on this host", ErrorKind.Unsupported, "process.selinuxLabel");
            writes.Add(new LsmWrite { Path = SharedExecAttr, Value = label, Field = "process.selinuxLabel" });
        }
        string? mount = null;
        if (!exec && mountLabel is { Length: > 0 })
        {
            if (!host.SelinuxEnabled)
                throw new RuntimeError($"linux.mountLabel: \"{mountLabel}\" is requested but SELinux is not enabled on this host", ErrorKind.Unsupported, "linux.mountLabel");
            mount = mountLabel;
        }
        return new LsmPlan { ExecWrites = writes, MountLabel = mount };
    }

    /// <summary>Performs <see cref="ExecWrites"/> (on the calling thread: the init's main thread, which then execs).</summary>
    /// Each goes through the verified procfs handle (design.md §3 item 5): a mount over /proc/thread-self/attr
    /// makes the write fail instead of landing elsewhere.
    public static void Apply(IReadOnlyList<LsmWrite> writes, Func<ProcFs> proc)
    {
        if (writes.Count == 0) return;
        var procfs = proc();
        foreach (var w in writes)
        {
            try { procfs.Write(w.Path, w.Value); }
            catch (SyscallException e) { throw new RuntimeError($"{w.Field}: {e.Message}", e.Kind, w.Field); }
        }
    }
}
