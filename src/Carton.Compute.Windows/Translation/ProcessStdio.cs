namespace Carton.Compute.Windows.Translation;

/// <summary>Which standard streams the caller will attach to a new process, so that HCS creates a pipe for each
/// (ProcessParameters' CreateStdInPipe, CreateStdOutPipe, CreateStdErrPipe), as hcsshim does for the streams it has.</summary>
/// <param name="Stdin">Whether a stdin pipe is wanted.</param>
/// <param name="Stdout">Whether a stdout pipe is wanted.</param>
/// <param name="Stderr">Whether a stderr pipe is wanted (never with a console: HCS sends its output to stdout).</param>
public readonly record struct ProcessStdio(bool Stdin, bool Stdout, bool Stderr)
{
    /// <summary>All three streams.</summary>
    public static ProcessStdio All => new(true, true, true);
}
