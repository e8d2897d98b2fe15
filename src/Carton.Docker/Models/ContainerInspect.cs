namespace Carton.Docker.Models;

/// <summary>GET /containers/{id}/json (swagger ContainerInspectResponse).</summary>
public sealed class ContainerInspect
{
    public string Id { get; set; } = "";
    public string Created { get; set; } = "";
    public string Path { get; set; } = "";
    public List<string> Args { get; set; } = [];
    public ContainerState State { get; set; } = new();
    public string Image { get; set; } = "";
    public string ResolvConfPath { get; set; } = "";
    public string HostnamePath { get; set; } = "";
    public string HostsPath { get; set; } = "";
    public string LogPath { get; set; } = "";
    public string Name { get; set; } = "";
    public int RestartCount { get; set; }
    public string Driver { get; set; } = "overlay";
    public string Platform { get; set; } = "linux";
    public string MountLabel { get; set; } = "";
    public string ProcessLabel { get; set; } = "";
    public string AppArmorProfile { get; set; } = "";
    public List<string>? ExecIDs { get; set; }
    public HostConfig HostConfig { get; set; } = new();
    public GraphDriverData GraphDriver { get; set; } = new();
    public List<MountPoint> Mounts { get; set; } = [];
    public ContainerCreateConfig Config { get; set; } = new();
    public NetworkSettings NetworkSettings { get; set; } = new();
}

/// <summary>ContainerInspect.State.</summary>
public sealed class ContainerState
{
    /// <summary>created, running, paused, restarting, removing, exited or dead.</summary>
    public string Status { get; set; } = "";
    public bool Running { get; set; }
    public bool Paused { get; set; }
    public bool Restarting { get; set; }
    public bool OOMKilled { get; set; }
    public bool Dead { get; set; }
    public int Pid { get; set; }
    public int ExitCode { get; set; }
    public string Error { get; set; } = "";
    public string StartedAt { get; set; } = "0001-01-01T00:00:00Z";
    public string FinishedAt { get; set; } = "0001-01-01T00:00:00Z";
    /// <summary>The healthcheck's state; left out when the container has none (as dockerd).</summary>
    public ContainerHealth? Health { get; set; }
}

/// <summary>ContainerInspect.Mounts[] and the list's Mounts.</summary>
public sealed class MountPoint
{
    public string Type { get; set; } = "";
    public string? Name { get; set; }
    public string Source { get; set; } = "";
    public string Destination { get; set; } = "";
    public string? Driver { get; set; }
    public string Mode { get; set; } = "";
    public bool RW { get; set; }
    public string Propagation { get; set; } = "";
}

/// <summary>ContainerInspect.NetworkSettings: the published ports and one entry per network.</summary>
public sealed class NetworkSettings
{
    public string Bridge { get; set; } = "";
    public string SandboxID { get; set; } = "";
    public string SandboxKey { get; set; } = "";
    /// <summary>"port/proto" → bindings (null for an exposed port that is not published).</summary>
    public Dictionary<string, List<PortBinding>?> Ports { get; set; } = [];
    public string EndpointID { get; set; } = "";
    public string Gateway { get; set; } = "";
    public string IPAddress { get; set; } = "";
    public int IPPrefixLen { get; set; }
    public string MacAddress { get; set; } = "";
    public Dictionary<string, EndpointSettings> Networks { get; set; } = [];
}

/// <summary>One item of GET /containers/json (swagger ContainerSummary).</summary>
public sealed class ContainerSummary
{
    public string Id { get; set; } = "";
    public List<string> Names { get; set; } = [];
    public string Image { get; set; } = "";
    public string ImageID { get; set; } = "";
    public string Command { get; set; } = "";
    public long Created { get; set; }
    public List<ContainerPort> Ports { get; set; } = [];
    public Dictionary<string, string> Labels { get; set; } = [];
    public string State { get; set; } = "";
    public string Status { get; set; } = "";
    public SummaryHostConfig HostConfig { get; set; } = new();
    public SummaryNetworkSettings NetworkSettings { get; set; } = new();
    public List<MountPoint> Mounts { get; set; } = [];
    /// <summary>The writable layer's bytes (system df; ps --size).</summary>
    public long? SizeRw { get; set; }
    /// <summary>The image's bytes plus the writable layer's (system df; ps --size).</summary>
    public long? SizeRootFs { get; set; }
}

/// <summary>ContainerSummary.Ports[].</summary>
public sealed class ContainerPort
{
    public string? IP { get; set; }
    public int PrivatePort { get; set; }
    public int? PublicPort { get; set; }
    public string Type { get; set; } = "tcp";
}

/// <summary>ContainerSummary.HostConfig.</summary>
public sealed class SummaryHostConfig
{
    public string NetworkMode { get; set; } = "";
}

/// <summary>ContainerSummary.NetworkSettings.</summary>
public sealed class SummaryNetworkSettings
{
    public Dictionary<string, EndpointSettings> Networks { get; set; } = [];
}

/// <summary>POST /containers/{id}/wait's answer.</summary>
public sealed class ContainerWaitResponse
{
    public long StatusCode { get; set; }
    public WaitError? Error { get; set; }
}

/// <summary>ContainerWaitResponse.Error.</summary>
public sealed class WaitError
{
    public string Message { get; set; } = "";
}
