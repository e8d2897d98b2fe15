namespace Carton.Network.Tests.Cni;

/// <summary>A test against Debian's plugins in /usr/lib/cni, inside network namespaces it makes: skipped, with the
/// reason, when the plugins, root, ip or nsenter are missing.</summary>
public sealed class RealCniFactAttribute : FactAttribute
{
    public RealCniFactAttribute()
    {
        if (!File.Exists("/usr/lib/cni/bridge") || !File.Exists("/usr/lib/cni/host-local") || !File.Exists("/usr/lib/cni/portmap"))
            Skip = "the CNI plugins are not in /usr/lib/cni (apt-get install containernetworking-plugins)";
        else if (!Environment.IsPrivilegedProcess)
            Skip = "needs root: the test makes network namespaces";
        else if (RealCniNamespaces.FindTool("ip") is null || RealCniNamespaces.FindTool("nsenter") is null)
            Skip = "needs ip (iproute2) and nsenter (util-linux)";
    }
}
