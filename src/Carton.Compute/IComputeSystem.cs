namespace Carton.Compute;

/// <summary>One container. Operations that do not fit its state throw <see cref="InvalidComputeSystemStateException"/>;
/// operations on a deleted system throw <see cref="ComputeSystemNotFoundException"/>. Disposing the handle ends its
/// event streams; the system lives on.</summary>
public interface IComputeSystem : IAsyncDisposable
{
    /// <summary>The compute system id.</summary>
    string Id { get; }

    /// <summary>Starts the system's init process (created → running). A stopped system starts again: a new init in
    /// the same root file system (its changes kept), networking and limits (Docker's start of an exited container).</summary>
    Task StartAsync(CancellationToken cancellationToken = default);
    /// <summary>Freezes every process of the system (cgroup freezer; running → paused).</summary>
    Task PauseAsync(CancellationToken cancellationToken = default);
    /// <summary>Thaws a paused system (paused → running).</summary>
    Task ResumeAsync(CancellationToken cancellationToken = default);
    /// <summary>SIGTERM to the init (thawing a paused system first), then SIGKILL to every process when <paramref name="timeout"/>
    /// expires; returns once the init has exited. Valid when created, running or paused.</summary>
    /// <exception cref="ComputeSystemAlreadyStoppedException">the init has already exited</exception>
    /// <exception cref="ComputeException">code "Failed": the system still had not exited 30 s after SIGKILL</exception>
    Task ShutdownAsync(TimeSpan timeout, CancellationToken cancellationToken = default);
    /// <summary>Sends <paramref name="signal"/> (1..64) to the system's init (HCS: HcsSignalProcess on the init).</summary>
    /// <exception cref="InvalidComputeSystemStateException">the init has exited</exception>
    Task SignalAsync(int signal, CancellationToken cancellationToken = default);
    /// <summary>SIGKILL to every process of the system; waits for the exit (at most 30 s, then code "Failed").</summary>
    /// <exception cref="ComputeSystemAlreadyStoppedException">the init has already exited</exception>
    Task TerminateAsync(CancellationToken cancellationToken = default);
    /// <summary>Waits until the init exits and returns its exit code (128+N when killed by signal N); -1 when the code is
    /// unknown (a system opened from the state store rather than created by this service instance).</summary>
    Task<int> WaitForExitAsync(CancellationToken cancellationToken = default);
    /// <summary>State, process list and statistics (statistics null and no processes once stopped).</summary>
    Task<ComputeSystemProperties> GetPropertiesAsync(CancellationToken cancellationToken = default);
    /// <summary>Changes the limits of a live system (the `update` command's semantics: each non-null group of
    /// <paramref name="resources"/> replaces the current one, the others stay). Valid when created, running or paused.</summary>
    /// <exception cref="InvalidComputeDocumentException">a value is out of range (the message names the field)</exception>
    Task UpdateResourcesAsync(ComputeResources resources, CancellationToken cancellationToken = default);
    /// <summary>Runs a new process inside the running system (a child of the caller, in-process).</summary>
    /// <exception cref="InvalidComputeSystemStateException">the system is not running</exception>
    /// <exception cref="InvalidComputeDocumentException">invalid parameters (empty CommandArgs, relative WorkingDirectory, User not uid[:gid], bad Environment name)</exception>
    Task<IComputeProcess> CreateProcessAsync(ProcessParameters parameters, CancellationToken cancellationToken = default);
    /// <summary>State changes, exits and OOM kills, as they happen, until the system is deleted or the token cancels.</summary>
    IAsyncEnumerable<ComputeSystemEvent> EventsAsync(CancellationToken cancellationToken = default);
    /// <summary>Deletes the system (killing it if still running): cgroups, mounts, scratch layer, state.</summary>
    /// <exception cref="ComputeSystemNotFoundException">already deleted</exception>
    Task DeleteAsync(CancellationToken cancellationToken = default);
}
