namespace Carton.IntegrationTests.Infrastructure;

/// <summary>Outcome of one external command run by <see cref="ProcessRunner"/>.</summary>
public sealed record ProcessResult(string CommandLine, int ExitCode, string Stdout, string Stderr, bool TimedOut, TimeSpan Elapsed)
{
    public bool Succeeded => !TimedOut && ExitCode == 0;

    /// <summary>Human readable dump used in assertion messages.</summary>
    public override string ToString() =>
        $"$ {CommandLine}\nexit={ExitCode}{(TimedOut ? " (TIMED OUT)" : "")} elapsed={Elapsed.TotalSeconds:F1}s\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}
