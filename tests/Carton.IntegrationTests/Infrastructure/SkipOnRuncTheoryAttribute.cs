namespace Carton.IntegrationTests.Infrastructure;

/// <summary>The theory form of <see cref="SkipOnRuncFactAttribute"/>: skipped when the runtime under test is runc.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SkipOnRuncTheoryAttribute : TheoryAttribute
{
    public SkipOnRuncTheoryAttribute(string reason)
    {
        var runtime = Environment.GetEnvironmentVariable("OCI_RUNTIME");
        if (runtime is { Length: > 0 } && Path.GetFileName(runtime) == "runc")
        {
            Skip = "runc difference: " + reason;
        }
    }
}
