namespace Carton.Compute;

/// <summary>A process started by <see cref="IComputeSystem.CreateProcessAsync"/>.</summary>
public interface IComputeProcess : IAsyncDisposable
{
    /// <summary>The pid in the host's pid namespace.</summary>
    int Pid { get; }
    /// <summary>The process's stdin, when <see cref="ProcessParameters.CreateStdInPipe"/> was set; dispose it to send EOF.</summary>
    Stream? StandardInput { get; }
    Stream? StandardOutput { get; }
    Stream? StandardError { get; }
    /// <summary>The pty master when <see cref="ProcessParameters.EmulateConsole"/> was set (stdout/stderr are then null).</summary>
    Stream? Console { get; }
    Task SignalAsync(int signal, CancellationToken cancellationToken = default);
    Task KillAsync(CancellationToken cancellationToken = default);
    Task ResizeConsoleAsync(ushort rows, ushort columns, CancellationToken cancellationToken = default);
    /// <summary>Waits for the process and returns its exit code (128+N when killed by signal N).</summary>
    Task<int> WaitForExitAsync(CancellationToken cancellationToken = default);
}
