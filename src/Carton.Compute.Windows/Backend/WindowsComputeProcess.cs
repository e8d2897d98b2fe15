using Carton.Compute;
using Carton.Windows.Hcs;

namespace Carton.Compute.Windows;

/// <summary><see cref="IComputeProcess"/> over an HCS process. Disposing it closes this side's streams and the HCS
/// process handle; the process keeps running (HcsCloseProcess does not kill it).</summary>
public sealed class WindowsComputeProcess : IComputeProcess
{
    private readonly HcsComputeProcess _process;
    private readonly string _systemId;

    internal WindowsComputeProcess(HcsComputeProcess process, bool console)
    {
        _process = process;
        _systemId = process.SystemId;
        var stdin = process.StandardInput is { IsInvalid: false } i ? new FileStream(i, FileAccess.Write, 1) : null;
        var stdout = process.StandardOutput is { IsInvalid: false } o ? new FileStream(o, FileAccess.Read, 1) : null;
        if (console && stdin is not null && stdout is not null)
        {
            Console = new ConsoleStream(stdout, stdin);
        }
        else
        {
            StandardInput = stdin;
            StandardOutput = stdout;
            StandardError = process.StandardError is { IsInvalid: false } e ? new FileStream(e, FileAccess.Read, 1) : null;
        }
    }

    /// <inheritdoc/>
    public int Pid => unchecked((int)_process.ProcessId);
    /// <inheritdoc/>
    public Stream? StandardInput { get; }
    /// <inheritdoc/>
    public Stream? StandardOutput { get; }
    /// <inheritdoc/>
    public Stream? StandardError { get; }
    /// <inheritdoc/>
    public Stream? Console { get; }

    /// <inheritdoc/>
    /// <remarks>Windows takes SIGHUP, SIGINT, SIGQUIT and SIGTERM as console control events and SIGKILL as a
    /// terminate (<see cref="WindowsSignals"/>); any other signal is refused with kind Unsupported.</remarks>
    public async Task SignalAsync(int signal, CancellationToken cancellationToken = default)
    {
        var options = WindowsSignals.OptionsFor(signal);
        if (_process.Exited.IsCompleted) return;
        try
        {
            if (options is null) await _process.TerminateAsync(cancellationToken).ConfigureAwait(false);
            else await _process.SignalAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (HcsException e) when (AlreadyExited(e)) { }
        catch (HcsException e) { throw HcsErrorMapping.ToComputeException(e, _systemId, $"signal process {Pid} in"); }
    }

    /// <inheritdoc/>
    public Task KillAsync(CancellationToken cancellationToken = default) => SignalAsync(WindowsSignals.Kill, cancellationToken);

    /// <inheritdoc/>
    public async Task ResizeConsoleAsync(ushort rows, ushort columns, CancellationToken cancellationToken = default)
    {
        if (Console is null) throw new InvalidOperationException($"process {Pid} has no console");
        await HcsErrorMapping.MapAsync(() => _process.ModifyAsync(HcsProcessParametersWriter.ConsoleSize(rows, columns), cancellationToken),
            _systemId, $"resize the console of process {Pid} in").ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>Windows exit codes are 32-bit unsigned (an NTSTATUS such as 0xC000013A for Ctrl+C); they are returned
    /// as the same 32 bits, so a status shows as a negative number.</remarks>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var status = await _process.Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
            return unchecked((int)status.ExitCode);
        }
        catch (HcsException e) { throw HcsErrorMapping.ToComputeException(e, _systemId, $"wait for process {Pid} in"); }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        Console?.Dispose();
        StandardInput?.Dispose();
        StandardOutput?.Dispose();
        StandardError?.Dispose();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static bool AlreadyExited(HcsException e) =>
        HcsErrors.Normalize(e.HResult) is HcsErrors.HCS_E_PROCESS_ALREADY_STOPPED or HcsErrors.HCS_E_SYSTEM_ALREADY_STOPPED;
}
