namespace Carton.Linux.Processes;

/// <summary>A wait(2) status: how a child ended.</summary>
public readonly record struct ExitStatus(int Raw)
{
    /// <summary>WIFEXITED: the child called exit.</summary>
    public bool Exited => (Raw & 0x7f) == 0;

    /// <summary>WEXITSTATUS: its exit status (meaningful when <see cref="Exited"/>).</summary>
    public int ExitCode => (Raw >> 8) & 0xff;

    /// <summary>WIFSIGNALED: a signal killed it.</summary>
    public bool Signaled => ((Raw & 0x7f) + 1) >> 1 > 0 && (Raw & 0x7f) != 0x7f && (Raw & 0x7f) != 0;

    /// <summary>WTERMSIG: the signal that killed it (meaningful when <see cref="Signaled"/>).</summary>
    public int TermSignal => Raw & 0x7f;

    /// <summary>The exit code as a shell reports it: the status, or 128+N for signal N.</summary>
    public int ShellCode => Exited ? ExitCode : 128 + TermSignal;
}
