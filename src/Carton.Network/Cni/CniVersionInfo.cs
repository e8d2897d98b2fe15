namespace Carton.Network.Cni;

/// <summary>A plugin's answer to VERSION.</summary>
public sealed class CniVersionInfo
{
    internal CniVersionInfo(string cniVersion, IReadOnlyList<string> supportedVersions)
    {
        CniVersion = cniVersion;
        SupportedVersions = supportedVersions;
    }

    /// <summary>The version of the answer itself.</summary>
    public string CniVersion { get; }

    /// <summary>The spec versions the plugin can be called with.</summary>
    public IReadOnlyList<string> SupportedVersions { get; }

    /// <summary>Whether the plugin can be called with <paramref name="version"/>.</summary>
    public bool Supports(string version) => SupportedVersions.Contains(version, StringComparer.Ordinal);
}
