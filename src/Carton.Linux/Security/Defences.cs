namespace Carton.Linux.Security;

/// <summary>
/// The defences docs/security.md lists, by name, and the test-only switch that turns one off. A build made with
/// <c>-p:CartonMutationBuild=true</c> (scripts/mutation-check.sh, never a shipped binary) honours
/// <see cref="EnvVar"/> (a comma-separated list of names); every other build compiles <see cref="IsDisabled"/> to
/// false, so the switch does not exist in carton as shipped. The point is to show that each attack test fails
/// when its defence is gone (docs/security.md, "Mutation results").
/// </summary>
public static class Defences
{
    /// <summary>The environment variable a mutation build reads (and passes on to the container's init).</summary>
    public const string EnvVar = "CARTON_TEST_DISABLE_DEFENCE";

    /// <summary>True in a mutation build when <paramref name="name"/> is listed in <see cref="EnvVar"/>.</summary>
    public static bool IsDisabled(string name)
    {
#if CARTON_MUTATION_BUILD
        var list = Environment.GetEnvironmentVariable(EnvVar);
        return list is not null && list.Split(',', StringSplitOptions.TrimEntries).Contains(name, StringComparer.Ordinal);
#else
        _ = name;
        return false;
#endif
    }

    /// <summary>Whether this binary is a mutation build (tests that need one skip otherwise).</summary>
    public static bool IsMutationBuild =>
#if CARTON_MUTATION_BUILD
        true;
#else
        false;
#endif

    /// <summary>The environment entry that carries the switch into a spawned init; null in a shipped build.</summary>
    public static string? PassOn() =>
        IsMutationBuild && Environment.GetEnvironmentVariable(EnvVar) is { Length: > 0 } v ? $"{EnvVar}={v}" : null;
}
