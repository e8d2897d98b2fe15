namespace Carton.Runtime;

/// <summary>The arguments of `carton exec` (runc-exec(8)) once the process to run is decided.</summary>
public sealed class ExecOptions
{
    public required string Id { get; init; }
    public required Oci.Process Process { get; init; }
    public string? ConsoleSocket { get; init; }
    public int ConsoleSocketFd { get; init; } = -1;
    public string? PidFile { get; init; }
    public int PreserveFds { get; init; }
    public bool IgnorePaused { get; init; }
    /// <summary>fds that become the process's 0/1/2; -1 inherits the caller's.</summary>
    public int StdinFd { get; init; } = -1;
    public int StdoutFd { get; init; } = -1;
    public int StderrFd { get; init; } = -1;
}
