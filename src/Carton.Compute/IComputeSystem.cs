using Carton.Oci;

namespace Carton.Compute;

/// <summary>One container. Operations that do not fit its state throw <see cref="InvalidComputeSystemStateException"/>.</summary>
public interface IComputeSystem : IAsyncDisposable
{
    string Id { get; }

    /// <summary>Starts the system's init process (created → running).</summary>
    Task StartAsync(CancellationToken cancellationToken = default);
    Task PauseAsync(CancellationToken cancellationToken = default);
    Task ResumeAsync(CancellationToken cancellationToken = default);
    /// <summary>SIGTERM to the init, then SIGKILL to every process when <paramref name="timeout"/> expires; waits for the exit.</summary>
    Task ShutdownAsync(TimeSpan timeout, CancellationToken cancellationToken = default);
    /// <summary>SIGKILL to every process of the system; waits for the exit.</summary>
    Task TerminateAsync(CancellationToken cancellationToken = default);
    /// <summary>Waits until the init exits and returns its exit code (128+N when killed by signal N).</summary>
    Task<int> WaitForExitAsync(CancellationToken cancellationToken = default);
    /// <summary>State, process list and statistics.</summary>
    Task<ComputeSystemProperties> GetPropertiesAsync(CancellationToken cancellationToken = default);
    /// <summary>Changes cgroup limits of a live system (the `update` command's semantics).</summary>
    Task UpdateResourcesAsync(LinuxResources resources, CancellationToken cancellationToken = default);
    /// <summary>Runs a new process inside the running system.</summary>
    Task<IComputeProcess> CreateProcessAsync(ProcessParameters parameters, CancellationToken cancellationToken = default);
    /// <summary>State changes, exits and OOM kills, as they happen, until the system is deleted or the token cancels.</summary>
    IAsyncEnumerable<ComputeSystemEvent> EventsAsync(CancellationToken cancellationToken = default);
    /// <summary>Deletes the system (killing it if still running): cgroups, mounts, scratch layer, state.</summary>
    Task DeleteAsync(CancellationToken cancellationToken = default);
}
