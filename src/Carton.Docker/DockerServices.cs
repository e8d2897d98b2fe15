using System.Text.Json;
using Carton.Compute;
using Carton.Images.Content;
using Carton.Network;

namespace Carton.Docker;

/// <summary>Writes one structured log line: level ("info", "warning", "error"), message, and extra fields.</summary>
public delegate void DockerLogWriter(string level, string message, Action<Utf8JsonWriter>? fields);

/// <summary>
/// What the Docker API translates onto: the same compute service, image store and network service the daemon's own
/// API serves (one model underneath, two doors), plus the host's facts for /info and /version.
/// </summary>
public sealed class DockerServices
{
    /// <summary>The compute service: Docker's containers are its systems (a later slice); /info counts them.</summary>
    public required IComputeService Compute { get; init; }

    /// <summary>The image store (the daemon's --image-root): Docker's images are its named images.</summary>
    public required ImageStore Images { get; init; }

    /// <summary>The network service (a later slice: /networks); null when the daemon has none.</summary>
    public INetworkService? Networks { get; init; }

    /// <summary>What /info and /version report about the host.</summary>
    public required DockerHostInfo Host { get; init; }

    /// <summary>Where request lines and unexpected errors go; null: nowhere.</summary>
    public DockerLogWriter? Log { get; init; }

    /// <summary>The Docker layer's own directory: containers/ID/ holds each container's record and json-file log.</summary>
    public required string StateRoot { get; init; }

    /// <summary>Copies files in and out of a container's root file system (the archive endpoints); null: not offered.</summary>
    public IContainerFiles? Files { get; init; }

    /// <summary>Containers' writable layers and the image sweep (changes, SizeRw, image prune); null: not offered.</summary>
    public IContainerStorage? Storage { get; init; }

    /// <summary>Where Docker's volumes live (the image root's volumes/: persistent, as images are); null: no volumes.</summary>
    public string? VolumesRoot { get; init; }

    /// <summary>Mounts the local volumes that have options (tmpfs, bind); null: such volumes are refused.</summary>
    public IVolumeMounts? VolumeMounts { get; init; }

    /// <summary>At most this many hijacked streams (attach, exec) at once; more get 503.</summary>
    public int MaxHijackedStreams { get; init; } = 256;

    /// <summary>The event log GET /events serves: every change to a container, image, network or volume is published
    /// here (<see cref="Events.DockerEvents.Publish"/>).</summary>
    public Events.DockerEvents Events { get; } = new();

    private DockerContainers? _containers;
    private ExecStore? _execs;
    private DockerVolumes? _volumes;

    /// <summary>The containers (made on first use, over <see cref="StateRoot"/>).</summary>
    internal DockerContainers Containers => LazyInitializer.EnsureInitialized(ref _containers, () => new DockerContainers(this));

    /// <summary>The volumes (made on first use, over <see cref="VolumesRoot"/>, with the containers' references).</summary>
    internal DockerVolumes Volumes => LazyInitializer.EnsureInitialized(ref _volumes, () =>
        new DockerVolumes(this, VolumesRoot ?? throw DockerErrors.NotYet("volumes (the daemon was given no volumes root)"), Containers.Store.All));

    /// <summary>The exec instances (in memory, as dockerd keeps them).</summary>
    internal ExecStore Execs => LazyInitializer.EnsureInitialized(ref _execs, () => new ExecStore());
}

/// <summary>Files in a container's root file system as the host sees it (mounted snapshot), read and written without
/// ever leaving it (symlinks resolved inside it). The Linux implementation lives with the daemon.</summary>
public interface IContainerFiles
{
    /// <summary>Docker's X-Docker-Container-Path-Stat for <paramref name="path"/>; NotFound when it does not exist.</summary>
    ContainerPathStat Stat(string rootfs, string path);
    /// <summary>A tar of <paramref name="path"/> (a file, or a directory and everything under it) to <paramref name="output"/>.</summary>
    Task WriteTarAsync(string rootfs, string path, Stream output, CancellationToken cancellationToken);
    /// <summary>Extracts <paramref name="tar"/> under the directory <paramref name="path"/>, keeping the archive's owners
    /// unless <paramref name="chownTo"/> gives others (copyUIDGID with a container user).</summary>
    Task ExtractTarAsync(string rootfs, string path, Stream tar, bool noOverwriteDirNonDir, (uint Uid, uint Gid)? chownTo, CancellationToken cancellationToken);
}

/// <summary>Docker's container path stat (base64 JSON in the X-Docker-Container-Path-Stat header).</summary>
public sealed class ContainerPathStat
{
    [System.Text.Json.Serialization.JsonPropertyName("name")] public string Name { get; set; } = "";
    [System.Text.Json.Serialization.JsonPropertyName("size")] public long Size { get; set; }
    /// <summary>Go's os.FileMode bits.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("mode")] public uint Mode { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("mtime")] public DateTimeOffset Mtime { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("linkTarget")] public string LinkTarget { get; set; } = "";
}
