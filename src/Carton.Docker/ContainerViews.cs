using System.Globalization;
using Carton.Compute;
using Carton.Docker.Models;
using Carton.Network;

namespace Carton.Docker;

/// <summary>Docker's shapes of a container (inspect, the list's summary) from its record, its compute system and its
/// network endpoints.</summary>
internal static class ContainerViews
{
    private const string ZeroTime = "0001-01-01T00:00:00Z";

    /// <summary>The network service's endpoints and networks at one moment, by container (namespace) id.</summary>
    public sealed class NetworkView(IReadOnlyList<EndpointInfo> endpoints, IReadOnlyList<NetworkInfo> networks)
    {
        private readonly ILookup<string?, EndpointInfo> _byNamespace = endpoints.ToLookup(e => e.Namespace);

        public IEnumerable<EndpointInfo> NetworksOf(string id) => _byNamespace[id];

        public NetworkInfo? Network(string nameOrId) => networks.FirstOrDefault(n => n.Name == nameOrId || n.Id == nameOrId);
    }

    public static async Task<NetworkView> NetworkViewAsync(DockerServices services, CancellationToken ct)
    {
        if (services.Networks is not { } n) return new NetworkView([], []);
        return new NetworkView(await n.ListEndpointsAsync(null, ct), await n.ListNetworksAsync(ct));
    }

    /// <summary>Carton's default network is Docker's "bridge".</summary>
    public static string DockerNetworkName(string cartonName) => cartonName == NetworkDefaults.DefaultNetworkName ? "bridge" : cartonName;

    /// <summary>A compute state as Docker's: created, running, paused, exited.</summary>
    public static string DockerState(string computeState) => computeState switch
    {
        "created" or "running" or "paused" => computeState,
        "stopped" => "exited",
        _ => "dead",
    };

    public static string Time(DateTime? t) =>
        t is { } v && v > DateTime.MinValue ? v.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) : ZeroTime;

    /// <summary>The network mode the container was created with, as inspect reports it ("bridge" for the default).</summary>
    public static string NetworkMode(ContainerRecord r) => r.HostConfig.NetworkMode is { Length: > 0 } and not "default" and var m ? m : "bridge";

    public static ContainerInspect Inspect(ContainerRecord r, ComputeSystemProperties props, NetworkView network, List<string> execIds, NamespaceInfo? ns)
    {
        var s = props.Summary;
        var state = DockerState(s.State);
        var host = r.HostConfig;
        var inspect = new ContainerInspect
        {
            Id = r.Id, Created = Time(r.Created), Path = r.Command.FirstOrDefault() ?? "", Args = [.. r.Command.Skip(1)],
            State = new ContainerState
            {
                Status = state, Running = state is "running" or "paused", Paused = state == "paused", Pid = s.Pid,
                ExitCode = state == "exited" ? s.ExitCode ?? 0 : 0, StartedAt = Time(s.Started), FinishedAt = Time(s.Finished),
            },
            Image = r.ImageId, LogPath = host.LogConfig?.Type is null or LogDrivers.JsonFile ? r.LogPath : "", Name = r.Name, RestartCount = r.RestartCount, HostConfig = host,
            Config = r.Config, ExecIDs = execIds.Count > 0 ? execIds : null,
            GraphDriver = new GraphDriverData { Name = "overlay", Data = props.RootfsPath is { } root ? new() { ["MergedDir"] = root } : [] },
        };
        inspect.Mounts = Mounts(r);
        inspect.NetworkSettings = Settings(r, network);
        if (ns is not null) (inspect.HostsPath, inspect.ResolvConfPath, inspect.HostnamePath) = (ns.HostsPath, ns.ResolvConfPath, ns.HostnamePath);
        return inspect;
    }

    private static List<MountPoint> Mounts(ContainerRecord r)
    {
        var list = new List<MountPoint>();
        foreach (var bind in r.HostConfig.Binds ?? [])
        {
            var parts = bind.Split(':');
            if (parts.Length < 2 || !parts[0].StartsWith('/')) continue; // a volume's: from r.Volumes below
            var mode = parts.Length == 3 ? parts[2] : "";
            list.Add(new MountPoint { Type = "bind", Source = parts[0], Destination = parts[1], Mode = mode, RW = !mode.Split(',').Contains("ro"), Propagation = "rprivate" });
        }
        foreach (var m in r.HostConfig.Mounts ?? [])
            if (m.Type != "volume")
                list.Add(new MountPoint { Type = m.Type ?? "", Source = m.Source ?? "", Destination = m.Target ?? "", RW = !m.ReadOnly, Propagation = m.Type == "bind" ? "rprivate" : "" });
        foreach (var v in r.Volumes)
            list.Add(new MountPoint { Type = "volume", Name = v.Name, Source = v.Source, Destination = v.Destination, Driver = "local", Mode = v.Mode, RW = v.RW, Propagation = "" });
        return list;
    }

    private static NetworkSettings Settings(ContainerRecord r, NetworkView network)
    {
        var settings = new NetworkSettings { SandboxID = r.Id };
        foreach (var exposed in r.Config.ExposedPorts?.Keys ?? Enumerable.Empty<string>()) settings.Ports[exposed] = null;
        bool first = true;
        foreach (var e in network.NetworksOf(r.Id))
        {
            var name = DockerNetworkName(e.Network);
            var net = network.Network(e.NetworkId);
            int prefix = net?.Subnet is { } subnet && subnet.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash
                && int.TryParse(subnet[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0;
            var ip = e.IpAddress is { } a && a.IndexOf('/', StringComparison.Ordinal) is > 0 and var cut ? a[..cut] : e.IpAddress ?? "";
            r.Networks.TryGetValue(name, out var requested);
            settings.Networks[name] = new EndpointSettings
            {
                NetworkID = e.NetworkId, EndpointID = e.Id, Gateway = e.Gateway ?? "", IPAddress = ip, IPPrefixLen = prefix,
                MacAddress = e.MacAddress ?? "", Aliases = e.Aliases.Count > 0 ? e.Aliases : null, DNSNames = [r.Name.TrimStart('/'), r.Id[..12], .. requested?.Aliases ?? []],
                IPAMConfig = requested?.IPAMConfig,
            };
            foreach (var port in e.Ports)
            {
                var key = $"{port.ContainerPort.ToString(CultureInfo.InvariantCulture)}/{port.Protocol}";
                if (!settings.Ports.TryGetValue(key, out var bindings) || bindings is null) settings.Ports[key] = bindings = [];
                bindings.Add(new PortBinding { HostIp = port.HostIp ?? "0.0.0.0", HostPort = port.HostPort.ToString(CultureInfo.InvariantCulture) });
            }
            if (first)
            {
                (settings.IPAddress, settings.Gateway, settings.MacAddress, settings.IPPrefixLen, settings.EndpointID) = (ip, e.Gateway ?? "", e.MacAddress ?? "", prefix, e.Id);
                settings.Bridge = net?.Bridge ?? "";
                first = false;
            }
        }
        return settings;
    }

    public static ContainerSummary Summary(ContainerRecord r, ComputeSystemSummary s, NetworkView network, List<DockerImage> images)
    {
        var state = DockerState(s.State);
        var settings = Settings(r, network);
        var summary = new ContainerSummary
        {
            Id = r.Id, Names = [r.Name], ImageID = r.ImageId, Command = string.Join(' ', r.Command), Created = new DateTimeOffset(r.Created).ToUnixTimeSeconds(),
            Labels = r.Config.Labels ?? [], State = state, Status = Status(state, s), HostConfig = new SummaryHostConfig { NetworkMode = NetworkMode(r) },
            NetworkSettings = new SummaryNetworkSettings { Networks = settings.Networks }, Mounts = Mounts(r),
        };
        // the image as the user named it while that name still leads to the same image, else its id (as dockerd)
        try { summary.Image = ImageCatalog.Find(images, r.Image).Image.Id == r.ImageId ? r.Image : r.ImageId; }
        catch (CartonException) { summary.Image = r.ImageId; }
        foreach (var (key, bindings) in settings.Ports)
        {
            var (port, proto) = ContainerDocument.ParsePort(key, "port");
            if (bindings is null || bindings.Count == 0) summary.Ports.Add(new ContainerPort { PrivatePort = port, Type = proto });
            else
                foreach (var b in bindings)
                    summary.Ports.Add(new ContainerPort { IP = b.HostIp, PrivatePort = port, PublicPort = int.Parse(b.HostPort!, CultureInfo.InvariantCulture), Type = proto });
        }
        return summary;
    }

    /// <summary>Inspect's State while the restart policy's backoff runs (dockerd's SetRestarting: running, restarting,
    /// no pid), and the healthcheck's state.</summary>
    public static void AddRestartAndHealth(ContainerState state, bool restarting, ContainerHealth? health)
    {
        if (restarting) (state.Status, state.Running, state.Restarting, state.Pid) = ("restarting", true, true, 0);
        state.Health = health;
    }

    /// <summary>The list's State and Status as dockerd's State.String(): "Restarting (1) 2 seconds ago", and the
    /// health after "Up ...": "(healthy)", "(unhealthy)", "(health: starting)".</summary>
    public static ContainerSummary WithRestartAndHealth(ContainerSummary summary, ComputeSystemSummary s, bool restarting, ContainerHealth? health)
    {
        if (restarting)
        {
            summary.State = "restarting";
            summary.Status = $"Restarting ({(s.ExitCode ?? 0).ToString(CultureInfo.InvariantCulture)}) "
                + (s.Finished is { } f ? HumanDuration(DateTime.UtcNow - f) + " ago" : "");
        }
        else if (summary.State == "running" && health is not null)
            summary.Status += health.Status == "starting" ? " (health: starting)" : $" ({health.Status})";
        return summary;
    }

    /// <summary>`docker ps`'s STATUS column: "Up 3 minutes", "Exited (0) 2 seconds ago", "Created".</summary>
    public static string Status(string state, ComputeSystemSummary s) => state switch
    {
        "running" => "Up " + HumanDuration(DateTime.UtcNow - (s.Started ?? s.Created)),
        "paused" => "Up " + HumanDuration(DateTime.UtcNow - (s.Started ?? s.Created)) + " (Paused)",
        "exited" => $"Exited ({(s.ExitCode ?? 0).ToString(CultureInfo.InvariantCulture)}) " + (s.Finished is { } f ? HumanDuration(DateTime.UtcNow - f) + " ago" : ""),
        "created" => "Created",
        _ => state,
    };

    /// <summary>Docker's units.HumanDuration.</summary>
    public static string HumanDuration(TimeSpan d)
    {
        static string N(double v) => ((long)v).ToString(CultureInfo.InvariantCulture);
        var seconds = d.TotalSeconds;
        if (seconds < 1) return "Less than a second";
        if (seconds < 2) return "1 second";
        if (seconds < 60) return N(seconds) + " seconds";
        var minutes = d.TotalMinutes;
        if (minutes < 2) return "About a minute";
        if (minutes < 60) return N(minutes) + " minutes";
        var hours = d.TotalHours;
        if (hours < 2) return "About an hour";
        if (hours < 48) return N(hours) + " hours";
        if (hours < 24 * 7 * 2) return N(hours / 24) + " days";
        if (hours < 24 * 30 * 2) return N(hours / 24 / 7) + " weeks";
        if (hours < 24 * 365 * 2) return N(hours / 24 / 30) + " months";
        return N(hours / 24 / 365) + " years";
    }
}
