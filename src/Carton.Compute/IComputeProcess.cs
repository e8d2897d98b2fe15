namespace Carton.Compute;

/// <summary>A process started by <see cref="IComputeSystem.CreateProcessAsync"/>. Disposing it closes this side's
/// streams; the process keeps running (HCS: closing a process handle does not kill it).</summary>
public interface IComputeProcess : IAsyncDisposable
{
    /// <summary>The pid in the host's pid namespace.</summary>
    int Pid { get; }
    /// <summary>The process's stdin, when <see cref="ProcessParameters.CreateStdInPipe"/> was set; dispose it to send EOF.</summary>
    Stream? StandardInput { get; }
    /// <summary>The process's stdout (readable until it exits and closes it), when <see cref="ProcessParameters.CreateStdOutPipe"/> was set; else null.</summary>
    Stream? StandardOutput { get; }
    /// <summary>The process's stderr, when <see cref="ProcessParameters.CreateStdErrPipe"/> was set; else null.</summary>
    Stream? StandardError { get; }
    /// <summary>The pty master when <see cref="ProcessParameters.EmulateConsole"/> was set (stdout/stderr are then null).</summary>
    Stream? Console { get; }
    /// <summary>Sends signal <paramref name="signal"/> (1..64) to the process; nothing when it has already exited.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="signal"/> is not 1..64</exception>
    Task SignalAsync(int signal, CancellationToken cancellationToken = default);
    /// <summary>Sends SIGKILL to the process (not to the rest of the system); nothing when it has already exited.</summary>
    Task KillAsync(CancellationToken cancellationToken = default);
    /// <summary>Sets the pty's size, in character cells.</summary>
    /// <exception cref="InvalidOperationException">the process has no console (in-process; the daemon answers 409 NoPipe)</exception>
    Task ResizeConsoleAsync(ushort rows, ushort columns, CancellationToken cancellationToken = default);
    /// <summary>Waits for the process and returns its exit code (128+N when killed by signal N).</summary>
    Task<int> WaitForExitAsync(CancellationToken cancellationToken = default);
}
