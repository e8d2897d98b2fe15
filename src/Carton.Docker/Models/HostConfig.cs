namespace Carton.Docker.Models;

/// <summary>A container's HostConfig (swagger HostConfig): the fields Carton acts on, and those it reports as given.</summary>
public sealed class HostConfig
{
    /// <summary>"source:container-path[:options]": an absolute host path, or a volume's name (ro, rw, nocopy).</summary>
    public List<string>? Binds { get; set; }
    public LogConfig? LogConfig { get; set; }
    /// <summary>default, bridge, host, none, container:ID or a network's name.</summary>
    public string? NetworkMode { get; set; }
    /// <summary>"port/proto" → the host bindings.</summary>
    public Dictionary<string, List<PortBinding>?>? PortBindings { get; set; }
    public RestartPolicy? RestartPolicy { get; set; }
    public bool AutoRemove { get; set; }
    public List<MountSpec>? Mounts { get; set; }
    public List<string>? CapAdd { get; set; }
    public List<string>? CapDrop { get; set; }
    public List<string>? Dns { get; set; }
    public List<string>? DnsOptions { get; set; }
    public List<string>? DnsSearch { get; set; }
    /// <summary>"name:ip" lines for /etc/hosts.</summary>
    public List<string>? ExtraHosts { get; set; }
    public bool Privileged { get; set; }
    public bool PublishAllPorts { get; set; }
    public bool ReadonlyRootfs { get; set; }
    /// <summary>container path → tmpfs options ("size=64m,mode=1777").</summary>
    public Dictionary<string, string>? Tmpfs { get; set; }
    public long Memory { get; set; }
    public long NanoCpus { get; set; }
    public long CpuShares { get; set; }
    public long? PidsLimit { get; set; }
    /// <summary>Memory plus swap (-1: unlimited swap), the soft limit, the CFS quota and period, and the cpusets
    /// (applied at create and by /update: <see cref="ContainerResourceLimits"/>).</summary>
    public long MemorySwap { get; set; }
    public long MemoryReservation { get; set; }
    public long CpuQuota { get; set; }
    public long CpuPeriod { get; set; }
    public string? CpusetCpus { get; set; }
    public string? CpusetMems { get; set; }
    /// <summary>Fields recorded but not acted on; a non-empty one earns a warning at create.</summary>
    public List<string>? SecurityOpt { get; set; }
    public List<DeviceMapping>? Devices { get; set; }
    public List<Ulimit>? Ulimits { get; set; }
    public Dictionary<string, string>? Sysctls { get; set; }
    public string? PidMode { get; set; }
    public string? IpcMode { get; set; }
    public string? UsernsMode { get; set; }
    public long ShmSize { get; set; }
    public bool? Init { get; set; }
    public List<string>? VolumesFrom { get; set; }
    public List<string>? Links { get; set; }
    public string? CgroupParent { get; set; }
    public string? Runtime { get; set; }
    /// <summary>[height, width] of the pty.</summary>
    public List<ushort>? ConsoleSize { get; set; }
}

/// <summary>One host binding of a container port.</summary>
public sealed class PortBinding
{
    public string? HostIp { get; set; }
    public string? HostPort { get; set; }
}

/// <summary>HostConfig.RestartPolicy: "" or no, on-failure (at most MaximumRetryCount restarts, 0: no limit), always,
/// unless-stopped; applied by <see cref="Carton.Docker.RestartManager"/>.</summary>
public sealed class RestartPolicy
{
    public string? Name { get; set; }
    public int MaximumRetryCount { get; set; }
}

/// <summary>HostConfig.LogConfig: json-file (the default), local or none, with max-size and max-file (<see cref="Carton.Docker.LogDrivers"/>).</summary>
public sealed class LogConfig
{
    public string? Type { get; set; }
    public Dictionary<string, string>? Config { get; set; }
}

/// <summary>HostConfig.Mounts[]: bind, tmpfs and volume.</summary>
public sealed class MountSpec
{
    public string? Type { get; set; }
    public string? Source { get; set; }
    public string? Target { get; set; }
    public bool ReadOnly { get; set; }
    public MountBindOptions? BindOptions { get; set; }
    public MountTmpfsOptions? TmpfsOptions { get; set; }
    public MountVolumeOptions? VolumeOptions { get; set; }
}

/// <summary>Mounts[].VolumeOptions: for a volume the mount creates, its labels and driver; NoCopy skips the copy-up.</summary>
public sealed class MountVolumeOptions
{
    public bool NoCopy { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public MountVolumeDriver? DriverConfig { get; set; }
    public string? Subpath { get; set; }
}

/// <summary>Mounts[].VolumeOptions.DriverConfig.</summary>
public sealed class MountVolumeDriver
{
    public string? Name { get; set; }
    public Dictionary<string, string>? Options { get; set; }
}

/// <summary>Mounts[].BindOptions.</summary>
public sealed class MountBindOptions
{
    public string? Propagation { get; set; }
}

/// <summary>Mounts[].TmpfsOptions.</summary>
public sealed class MountTmpfsOptions
{
    public long SizeBytes { get; set; }
    public int? Mode { get; set; }
}

/// <summary>HostConfig.Devices[] (recorded, not applied).</summary>
public sealed class DeviceMapping
{
    public string? PathOnHost { get; set; }
    public string? PathInContainer { get; set; }
    public string? CgroupPermissions { get; set; }
}

/// <summary>HostConfig.Ulimits[] (recorded, not applied).</summary>
public sealed class Ulimit
{
    public string? Name { get; set; }
    public long Soft { get; set; }
    public long Hard { get; set; }
}

/// <summary>NetworkingConfig: the endpoint settings per network at create.</summary>
public sealed class NetworkingConfig
{
    public Dictionary<string, EndpointSettings?>? EndpointsConfig { get; set; }
}

/// <summary>One network's endpoint settings (at create and connect; in inspect's NetworkSettings.Networks).</summary>
public sealed class EndpointSettings
{
    public EndpointIpamConfig? IPAMConfig { get; set; }
    public List<string>? Links { get; set; }
    public List<string>? Aliases { get; set; }
    public string? MacAddress { get; set; }
    public string? NetworkID { get; set; }
    public string? EndpointID { get; set; }
    public string? Gateway { get; set; }
    public string? IPAddress { get; set; }
    public int IPPrefixLen { get; set; }
    public string? IPv6Gateway { get; set; }
    public string? GlobalIPv6Address { get; set; }
    public int GlobalIPv6PrefixLen { get; set; }
    public List<string>? DNSNames { get; set; }
}

/// <summary>EndpointSettings.IPAMConfig: a fixed address.</summary>
public sealed class EndpointIpamConfig
{
    public string? IPv4Address { get; set; }
    public string? IPv6Address { get; set; }
}
