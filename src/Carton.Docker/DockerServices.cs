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
}
