namespace Carton.Runtime;

/// <summary>The arguments of `carton create` (runc-create(8)).</summary>
public sealed class CreateOptions
{
    public required string Id { get; init; }
    public string Bundle { get; init; } = ".";
    public string? PidFile { get; init; }
    /// <summary>--console-socket: a Unix socket that receives the pty master (terminals.md).</summary>
    public string? ConsoleSocket { get; init; }
    /// <summary>A connected socket fd used instead of <see cref="ConsoleSocket"/> (foreground `run` with a terminal).</summary>
    public int ConsoleSocketFd { get; init; } = -1;
    public int PreserveFds { get; init; }
    public bool NoPivot { get; init; }
    public bool NoNewKeyring { get; init; }
}
