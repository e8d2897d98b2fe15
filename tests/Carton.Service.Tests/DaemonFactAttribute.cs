namespace Carton.Service.Tests;

/// <summary>A test that needs root and the published binaries; skipped with the reason otherwise (never passes silently).</summary>
public sealed class DaemonFactAttribute : FactAttribute
{
    public DaemonFactAttribute()
    {
        if (DaemonFixture.StaticProblem() is { } problem) Skip = problem;
    }
}
