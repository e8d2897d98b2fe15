namespace Carton.IntegrationTests.Infrastructure;

/// <summary>
/// A theory that documents a deliberate carton/runc difference (usually a runc bug carton does not copy), like
/// <see cref="SkipOnRuncFactAttribute"/>: skipped when the runtime under test (OCI_RUNTIME) is runc.
/// </summary>
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
