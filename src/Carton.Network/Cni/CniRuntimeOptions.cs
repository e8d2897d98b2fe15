namespace Carton.Network.Cni;

/// <summary>Where a <see cref="CniRuntime"/> finds plugins and keeps its results, and how it runs plugins.</summary>
public sealed class CniRuntimeOptions
{
    /// <summary>The directories searched, in order, for a plugin's binary (its <c>type</c>); joined with ':' they are CNI_PATH.</summary>
    public IReadOnlyList<string> PluginDirectories { get; init; } = ["/usr/lib/cni", "/opt/cni/bin"];

    /// <summary>The directory of the result cache (<c>results/</c> under it), which must outlive the daemon
    /// (DEL needs the ADD's result after a restart), e.g. /var/lib/carton/cni.</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>How long one plugin call may take before it (and its children) is killed.</summary>
    public TimeSpan PluginTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Variables added to every plugin's environment (which otherwise holds only the CNI_ variables and a
    /// minimal PATH); they cannot replace the CNI_ variables.</summary>
    public IReadOnlyDictionary<string, string>? ExtraEnvironment { get; init; }

    /// <summary>
    /// A command every plugin is run through: the plugin's path is appended to it as the last argument, e.g.
    /// <c>["nsenter", "--net=/run/netns/outer", "--"]</c> to run the plugins in another network namespace. It is for
    /// tests (keeping bridges out of the host) and wrappers; the command must exec the plugin with the same
    /// environment, stdin and stdout. Null or empty runs the plugin directly.
    /// </summary>
    public IReadOnlyList<string>? CommandPrefix { get; init; }
}
