using Carton.Compute;

namespace Carton.Compute.Windows;

/// <summary>
/// POSIX signal numbers as what a Windows process can receive. Windows has console control events, not signals;
/// hcsshim (internal/signals, ValidateSigstrWCOW) turns SIGTERM into CtrlShutdown and SIGKILL into a terminate, and
/// takes the control events by name. Here: SIGHUP → CtrlClose (the console went away), SIGINT → CtrlC,
/// SIGQUIT → CtrlBreak, SIGTERM → CtrlShutdown, SIGKILL → terminate; any other signal has no Windows counterpart.
/// </summary>
public static class WindowsSignals
{
    /// <summary>SIGKILL, which becomes HcsTerminateProcess.</summary>
    public const int Kill = 9;

    /// <summary>The SignalProcessOptions document for <paramref name="signal"/>, or null for SIGKILL (terminate instead).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="signal"/> is not 1..64</exception>
    /// <exception cref="ComputeException">kind Unsupported: the signal has no Windows counterpart</exception>
    public static string? OptionsFor(int signal)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(signal, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(signal, 64);
        var control = signal switch
        {
            1 => "CtrlClose",
            2 => "CtrlC",
            3 => "CtrlBreak",
            15 => "CtrlShutdown",
            Kill => null,
            _ => throw new ComputeException(ErrorKind.Unsupported,
                $"signal {signal} has no Windows counterpart (a Windows container takes SIGHUP, SIGINT, SIGQUIT, SIGTERM and SIGKILL)"),
        };
        return control is null ? null : $$"""{"Signal":"{{control}}"}""";
    }
}
