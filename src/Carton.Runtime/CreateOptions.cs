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
    /// <summary>The spec to create from, instead of reading &lt;bundle&gt;/config.json (library callers; validated the same way).</summary>
    public Oci.Spec? Spec { get; init; }
    /// <summary>The caller has already validated <see cref="Spec"/> against this bundle (SpecValidator): skip doing it
    /// again. The compute service validates once, to name fields as paths of its own document.</summary>
    public bool SpecValidated { get; init; }
    /// <summary>fds that become the init's (and so the container process's) 0/1/2; -1 inherits the caller's.</summary>
    public int StdinFd { get; init; } = -1;
    public int StdoutFd { get; init; } = -1;
    public int StderrFd { get; init; } = -1;
    /// <summary>No user process: after startContainer hooks the init stays as the container's pid 1, reaping children
    /// until SIGTERM/SIGINT (exit 0) or SIGKILL. process.args is not looked up.</summary>
    public bool Idle { get; init; }
}
