using System.Diagnostics;

namespace Carton.Linux;

/// <summary>
/// Every named step of `create` and `exec` at which a test build of carton can SIGKILL itself (issue 15, "fault
/// injection"): scripts/fault-inject.sh reads the names from this file (the string constants below, one per point)
/// and, for each, arms it and checks that `delete --force` then leaves nothing behind.
///
/// Only a build made with <c>-p:CartonFaultInjection=true</c> (the define CARTON_FAULT_INJECTION) honours
/// <see cref="EnvVar"/>: <see cref="Reach"/> is [Conditional], so in any other build the compiler drops every call,
/// arguments included, and the body below is compiled out as well. carton as shipped (scripts/build.sh) contains
/// neither the check nor the variable's name.
///
/// The class lives in Carton.Linux, not Carton.Runtime, because some steps are there (one mkdir per cgroup
/// hierarchy, in the cgroup managers).
/// </summary>
public static class FaultPoints
{
    /// <summary>The variable a fault build reads: <c>NAME</c> kills at the first time NAME is reached, <c>NAME#N</c>
    /// at the N-th (for a point reached once per cgroup hierarchy).</summary>
    public const string EnvVar = "CARTON_FAULT_POINT";

    // create (ContainerCreator.Create and what it calls), in the order they are reached.
    /// <summary>The config is loaded and validated, the seccomp program compiled; nothing exists yet.</summary>
    public const string CreateAfterSpec = "create.after-spec";
    /// <summary>The state directory exists and is locked; no state.json yet.</summary>
    public const string CreateAfterReserve = "create.after-reserve";
    /// <summary>The first state.json (cgroup paths, "creating", no pid) is saved; no cgroup directory yet.</summary>
    public const string CreateAfterFirstRecord = "create.after-first-record";
    /// <summary>One hierarchy's directories are made (reached once per hierarchy: arm it as NAME#N).</summary>
    public const string CreateAfterCgroupMkdir = "create.after-cgroup-mkdir";
    /// <summary>Every cgroup directory exists and the limits are written.</summary>
    public const string CreateAfterCgroups = "create.after-cgroups";
    /// <summary>exec.fifo is made and opened.</summary>
    public const string CreateAfterFifo = "create.after-fifo";
    /// <summary>The init is spawned (blocked reading its plan); its pid is not recorded yet.</summary>
    public const string CreateAfterSpawn = "create.after-spawn";
    /// <summary>The init's pid and start time are saved in state.json.</summary>
    public const string CreateAfterPidRecord = "create.after-pid-record";
    /// <summary>The init is in the container's cgroups.</summary>
    public const string CreateAfterCgroupJoin = "create.after-cgroup-join";
    /// <summary>The setup plan (or the managed init's config) is written to the init.</summary>
    public const string CreateAfterPlanSent = "create.after-plan-sent";
    /// <summary>The init reported ready (waiting on exec.fifo); state.json still says "creating".</summary>
    public const string CreateAfterReady = "create.after-ready";
    /// <summary>The final, durable state.json is saved ("created").</summary>
    public const string CreateAfterFinalSave = "create.after-final-save";
    /// <summary>--pid-file is written; create is about to return.</summary>
    public const string CreateAfterPidFile = "create.after-pid-file";

    // exec (ContainerExec.Exec and the CLI's wait), in the order they are reached.
    /// <summary>The container's lock is held and its state read.</summary>
    public const string ExecAfterLoad = "exec.after-load";
    /// <summary>The container's namespaces (or root) are open.</summary>
    public const string ExecAfterNamespaces = "exec.after-namespaces";
    /// <summary>The exec's init is spawned in the container's namespaces, not yet in its cgroups.</summary>
    public const string ExecAfterSpawn = "exec.after-spawn";
    /// <summary>The exec's init is in the container's cgroups.</summary>
    public const string ExecAfterCgroupJoin = "exec.after-cgroup-join";
    /// <summary>The plan (or config) is written to the exec's init.</summary>
    public const string ExecAfterPlanSent = "exec.after-plan-sent";
    /// <summary>The exec's init reported ready: the process is exec'd.</summary>
    public const string ExecAfterReady = "exec.after-ready";
    /// <summary>--pid-file is written.</summary>
    public const string ExecAfterPidFile = "exec.after-pid-file";
    /// <summary>The CLI is about to wait for the process (foreground exec).</summary>
    public const string ExecBeforeWait = "exec.before-wait";

#if CARTON_FAULT_INJECTION
    private static readonly Dictionary<string, int> Hits = new(StringComparer.Ordinal);
#endif

    /// <summary>
    /// In a fault build, SIGKILLs this process when <paramref name="name"/> is the armed point (and this is the armed
    /// hit): no finally, no undo, no flush runs, as when the OOM killer or an impatient caller kills carton. A line on
    /// stderr first says which point was reached, so the script can tell a kill here from one anywhere else.
    /// </summary>
    [Conditional("CARTON_FAULT_INJECTION")]
    public static void Reach(string name)
    {
#if CARTON_FAULT_INJECTION
        var armed = Environment.GetEnvironmentVariable(EnvVar);
        if (string.IsNullOrEmpty(armed)) return;
        int hit;
        lock (Hits)
        {
            Hits[name] = hit = Hits.GetValueOrDefault(name) + 1;
        }
        var hash = armed.IndexOf('#', StringComparison.Ordinal);
        var armedName = hash < 0 ? armed : armed[..hash];
        int armedHit = hash < 0 ? 1 : int.Parse(armed[(hash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        if (armedName != name || armedHit != hit) return;
        var line = System.Text.Encoding.UTF8.GetBytes($"carton: fault point {name}#{hit} reached: SIGKILL\n");
        unsafe
        {
            fixed (byte* p = line) Interop.Libc.write(2, p, (nuint)line.Length);
        }
        Interop.Libc.kill(Interop.Libc.getpid(), 9);
#else
        _ = name;
#endif
    }
}
