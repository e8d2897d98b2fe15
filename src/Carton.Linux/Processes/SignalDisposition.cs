using Carton.Linux.Interop;

namespace Carton.Linux.Processes;

/// <summary>
/// A signal ignored since this process started: a non-interactive shell starts background jobs (`cmd &amp;`) with
/// SIGINT and SIGQUIT ignored, and .NET then installs no handler for them, so a PosixSignalRegistration never fires.
/// runc's signal proxy (Go's signal.Notify) un-ignores them; carton's does the same through <see cref="Unignore"/>.
/// </summary>
public static class SignalDisposition
{
    private const int SigactionSize = 152;
    private const nint SigIgn = 1;

    /// <summary>Sets <paramref name="signal"/> back to its default action when it is ignored; true when it was.</summary>
    public static unsafe bool Unignore(int signal)
    {
        byte* old = stackalloc byte[SigactionSize];
        if (Libc.sigaction(signal, null, old) != 0 || *(nint*)old != SigIgn) return false;
        byte* dfl = stackalloc byte[SigactionSize];
        new Span<byte>(dfl, SigactionSize).Clear(); // SIG_DFL (0), no flags, an empty mask
        return Libc.sigaction(signal, dfl, null) == 0;
    }
}
