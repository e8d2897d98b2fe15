namespace Carton.IntegrationTests.Infrastructure;

/// <summary>
/// A fact that documents a deliberate carton/runc difference (usually a runc bug carton does not copy).
/// It is skipped when the runtime under test (OCI_RUNTIME) is runc; <paramref name="reason"/> says why.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SkipOnRuncFactAttribute : FactAttribute
{
    public SkipOnRuncFactAttribute(string reason)
    {
        var runtime = Environment.GetEnvironmentVariable("OCI_RUNTIME");
        if (runtime is { Length: > 0 } && Path.GetFileName(runtime) == "runc")
        {
            Skip = "runc difference: " + reason;
        }
    }
}
