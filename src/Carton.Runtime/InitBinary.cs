namespace Carton.Runtime;

/// <summary>
/// The program exec'd (from a sealed memfd copy) as a container's init: the `carton` binary. When the runtime
/// library runs inside carton itself that is /proc/self/exe; a host program that uses the library in-process (the
/// compute service, a .NET application) sets <see cref="Path"/> or CARTON_INIT_BINARY to the carton binary.
/// </summary>
public static class InitBinary
{
    private static string? _path;

    public static string Path
    {
        get => _path ??= Environment.GetEnvironmentVariable("CARTON_INIT_BINARY") is { Length: > 0 } env ? env : "/proc/self/exe";
        set => _path = value;
    }
}
