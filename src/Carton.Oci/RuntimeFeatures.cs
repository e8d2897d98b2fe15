namespace Carton.Oci;

/// <summary>Builds carton's features document (features.md, features-linux.md) for `carton features`.</summary>
public static class RuntimeFeatures
{
    /// <summary>Annotation carrying carton's version (features.md "Annotations": implementation-specific keys).</summary>
    public const string VersionAnnotation = "io.github.carton.version";

    /// <summary>Lowest runtime-spec version carton accepts.</summary>
    public const string OciVersionMin = "1.0.0";

    /// <summary>Highest runtime-spec version carton implements.</summary>
    public const string OciVersionMax = DefaultSpec.OciVersion;

    /// <summary>
    /// What carton supports today. Flags here must only be true for features that are implemented:
    /// callers (e.g. containerd, podman) use them to decide what to put in config.json.
    /// </summary>
    public static Features Create(string version) => new()
    {
        OciVersionMin = OciVersionMin,
        OciVersionMax = OciVersionMax,
        Hooks = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"],
        MountOptions = [.. MountOptionParser.KnownOptions],
        Linux = new LinuxFeatures
        {
            Namespaces = [.. NamespaceKinds.All],
            Capabilities = [.. KnownCapabilities.All],
            Cgroup = new CgroupFeatures { V1 = true, V2 = true, Systemd = false, SystemdUser = false },
            Seccomp = new SeccompFeatures { Enabled = false },
            Apparmor = new EnabledFeature { Enabled = false },
            Selinux = new EnabledFeature { Enabled = false },
            MountExtensions = new MountExtensionsFeatures { Idmap = new EnabledFeature { Enabled = false } },
        },
        Annotations = new Dictionary<string, string> { [VersionAnnotation] = version },
    };
}
