namespace Carton.Docker.Models;

/// <summary>
/// What the Docker layer keeps about a container beyond its compute system (containers/ID/container.json): what
/// Docker has and HCS does not. The system (same id) holds the state, the root file system, the networking and the
/// exit code; this holds the name, the request as given, and the log's place.
/// </summary>
public sealed class ContainerRecord
{
    public string Id { get; set; } = "";
    /// <summary>With its leading '/', as Docker reports names.</summary>
    public string Name { get; set; } = "";
    public DateTime Created { get; set; }
    /// <summary>The image as the client named it.</summary>
    public string Image { get; set; } = "";
    /// <summary>The image's id (sha256:...), resolved at create.</summary>
    public string ImageId { get; set; } = "";
    /// <summary>The command the container runs (entrypoint and cmd resolved against the image), for inspect and ps.</summary>
    public List<string> Command { get; set; } = [];
    public ContainerCreateConfig Config { get; set; } = new();
    public HostConfig HostConfig { get; set; } = new();
    /// <summary>The networks joined at create, by the name the client used ("bridge" for the default network).</summary>
    public Dictionary<string, EndpointSettings?> Networks { get; set; } = [];
    public string LogPath { get; set; } = "";
    /// <summary>Restarts by the restart policy since the last start by a client (dockerd's RestartCount).</summary>
    public int RestartCount { get; set; }
    /// <summary>A client stopped or killed it (dockerd's HasBeenManuallyStopped): unless-stopped does not bring it back,
    /// not even at the daemon's start; cleared by the next start.</summary>
    public bool HasBeenManuallyStopped { get; set; }
    /// <summary>The signal `stop` sends: Config.StopSignal, else the image's, else SIGTERM (null).</summary>
    public string? StopSignal { get; set; }
    /// <summary>Endpoints made by /networks/{id}/connect (network name → endpoint id): the Docker layer's to delete.</summary>
    public Dictionary<string, string> ConnectedEndpoints { get; set; } = [];
    /// <summary>An /update changed the limits while the container was stopped: its next start applies them.</summary>
    public bool ResourcesPending { get; set; }

    /// <summary>The volumes the container mounts (named, anonymous and the image's): references that keep them.</summary>
    public List<ContainerVolume> Volumes { get; set; } = [];
}
