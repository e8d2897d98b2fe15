using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Carton.Linux.IO;
using Carton.Linux.Namespaces;
using Carton.Network.Cni;

namespace Carton.Network.Linux;

/// <summary>
/// <see cref="INetworkService"/> on Linux over CNI. Layout (docs/architecture.md):
/// <c>StateRoot/&lt;network&gt;.json</c> (a network: its view and conflist; persistent),
/// <c>RunRoot/endpoints/&lt;id&gt;.json</c>, <c>RunRoot/namespaces/&lt;id&gt;/</c> (namespace.json, hosts,
/// resolv.conf, hostname), <c>RunRoot/cni/</c> (the result cache), <c>RunRoot/ipam/</c> (host-local's records) and
/// the pins in <c>NetnsDirectory/&lt;id&gt;</c>. Mutations are serialised by a lock in the process and a file lock
/// across processes; reads take neither (every record is replaced atomically).
/// </summary>
public sealed partial class NetworkService : INetworkService, IDisposable
{
    private readonly NetworkServiceOptions _options;
    private readonly CniRuntime _cni;
    private readonly PortReservations _ports = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<string> _ruled = new(StringComparer.Ordinal); // networks whose masquerade and forward rules this process has ensured

    /// <summary>Opens (creating) the service's directories and recovers from a previous run: endpoints whose
    /// namespace is gone are detached with their cached CNI result, namespaces whose pin is gone are forgotten, and
    /// the ports of live endpoints are held again.</summary>
    public NetworkService(NetworkServiceOptions? options = null)
    {
        _options = options ?? new NetworkServiceOptions();
        Directory.CreateDirectory(_options.StateRoot);
        Directory.CreateDirectory(EndpointsDir);
        Directory.CreateDirectory(NamespacesDir);
        _cni = new CniRuntime(new CniRuntimeOptions
        {
            CacheDirectory = Path.Combine(_options.RunRoot, "cni"),
            PluginDirectories = _options.PluginDirectories,
            PluginTimeout = _options.PluginTimeout,
        });
        Recover();
    }

    /// <summary>The options in use.</summary>
    public NetworkServiceOptions Options => _options;

    private string EndpointsDir => Path.Combine(_options.RunRoot, "endpoints");
    private string NamespacesDir => Path.Combine(_options.RunRoot, "namespaces");
    private string IpamDir => Path.Combine(_options.RunRoot, "ipam");
    private string NetworkPath(string name) => Path.Combine(_options.StateRoot, name + ".json");
    private string EndpointPath(string id) => Path.Combine(EndpointsDir, id + ".json");
    private string NamespaceDir(string id) => Path.Combine(NamespacesDir, id);
    private string NamespaceRecordPath(string id) => Path.Combine(NamespaceDir(id), "namespace.json");
    private string PinPath(string id) => Path.Combine(_options.NetnsDirectory, id);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")] private static partial Regex NetworkNameRegex();
    [GeneratedRegex(@"^[A-Za-z0-9_+-][A-Za-z0-9_+.-]*\z")] private static partial Regex NamespaceIdRegex();
    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,252})\z")] private static partial Regex HostNameRegex();
    [GeneratedRegex(@"^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}\z")] private static partial Regex MacRegex();

    // ---------------------------------------------------------------- networks

    /// <inheritdoc/>
    public async Task<NetworkInfo> CreateNetworkAsync(NetworkCreateOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var held = await LockAsync(cancellationToken);
        return CreateNetworkLocked(options);
    }

    private NetworkInfo CreateNetworkLocked(NetworkCreateOptions options)
    {
        var name = options.Name;
        if (!NetworkNameRegex().IsMatch(name ?? ""))
            throw Invalid("name", $"network name \"{name}\" is invalid: it must match [A-Za-z0-9][A-Za-z0-9_.-]* and be at most 64 characters");
        if (File.Exists(NetworkPath(name!))) throw new CartonException(ErrorKind.AlreadyExists, $"network \"{name}\" already exists");
        var id = NewId();
        var info = new NetworkInfo { Id = id, Name = name!, Internal = options.Internal, Labels = options.Labels, Created = DateTimeOffset.UtcNow };
        string confList;
        if (options.ConfList is not null)
        {
            if (options.Subnet is not null || options.Gateway is not null || options.Internal)
                throw Invalid("confList", $"network \"{name}\": a user-supplied configuration list takes no subnet, gateway or internal: they belong in its IPAM");
            var list = CniConfigList.Parse(options.ConfList, $"network \"{name}\"");
            if (list.Name != name)
                throw Invalid("confList", $"network \"{name}\": the configuration list is named \"{list.Name}\": its name must be the network's");
            foreach (var plugin in list.Plugins) RequirePlugin(name!, plugin.Type);
            info.Driver = "cni";
            info.CniVersion = list.CniVersion;
            info.Plugins = [.. list.Plugins.Select(p => p.Type)];
            if (FirstRange(list) is var (subnet, gateway)) (info.Subnet, info.Gateway) = (subnet, gateway);
            confList = options.ConfList;
        }
        else
        {
            var taken = ListNetworkRecords().Select(r => r.Info.Subnet).OfType<string>()
                .Select(s => Ipv4Subnet.TryParse(s, out var n, out _) ? n : (Ipv4Subnet?)null).OfType<Ipv4Subnet>().ToList();
            var routes = HostRoutes.Read();
            Ipv4Subnet subnet;
            if (options.Subnet is not null)
            {
                if (!Ipv4Subnet.TryParse(options.Subnet, out subnet, out var why)) throw Invalid("subnet", $"network \"{name}\": subnet \"{options.Subnet}\": {why}");
                if (taken.FirstOrDefault(t => t.Overlaps(subnet)) is var t1 && t1 != default)
                    throw new CartonException(ErrorKind.InvalidState, $"network \"{name}\": subnet {subnet} overlaps network \"{ListNetworkRecords().First(r => r.Info.Subnet == t1.ToString()).Info.Name}\" ({t1})", jsonPath: "subnet", reason: $"overlaps {t1}");
                if (routes.FirstOrDefault(r => r.Overlaps(subnet)) is var r1 && r1 != default)
                    throw new CartonException(ErrorKind.InvalidState, $"network \"{name}\": subnet {subnet} overlaps the host's route to {r1}", jsonPath: "subnet", reason: $"overlaps the host's route to {r1}");
            }
            else subnet = PickSubnet(name!, taken, routes);
            uint gw;
            if (options.Gateway is not null)
            {
                if (!Ipv4Subnet.TryParseAddress(options.Gateway, out gw)) throw Invalid("gateway", $"network \"{name}\": gateway \"{options.Gateway}\" is not an IPv4 address");
                if (!subnet.Contains(gw) || gw == subnet.Network || gw == subnet.Broadcast)
                    throw Invalid("gateway", $"network \"{name}\": gateway {options.Gateway} is not a host address of {subnet}");
            }
            else gw = subnet.Network + 1;
            info.Driver = "bridge";
            info.Subnet = subnet.ToString();
            info.Gateway = Ipv4Subnet.Format(gw);
            info.Bridge = name == NetworkDefaults.DefaultNetworkName ? "carton0" : "cbr-" + id[..8];
            confList = BridgeConfList.Build(name!, info.Bridge, subnet, info.Gateway, options.Internal, Path.Combine(IpamDir));
            var list = CniConfigList.Parse(confList, $"network \"{name}\"");
            foreach (var plugin in list.Plugins) RequirePlugin(name!, plugin.Type);
            info.CniVersion = list.CniVersion;
            info.Plugins = [.. list.Plugins.Select(p => p.Type)];
        }
        RecordFiles.Write(NetworkPath(name!), new NetworkRecord { Info = info, ConfList = confList, Masquerade = info.Driver == "bridge" && !info.Internal, Forward = info.Driver == "bridge" && !info.Internal }, NetworkRecordsJsonContext.Default.NetworkRecord);
        return WithEndpoints(info);
    }

    private Ipv4Subnet PickSubnet(string name, List<Ipv4Subnet> taken, List<Ipv4Subnet> routes)
    {
        if (!Ipv4Subnet.TryParse(_options.SubnetPool, out var pool, out var why))
            throw new CartonException(ErrorKind.InvalidDocument, $"subnet pool \"{_options.SubnetPool}\": {why}");
        for (uint n = pool.Network; n < pool.Broadcast; n += 256)
        {
            var candidate = new Ipv4Subnet(n, 24);
            if (!taken.Any(t => t.Overlaps(candidate)) && !routes.Any(r => r.Overlaps(candidate))) return candidate;
        }
        throw new CartonException(ErrorKind.ResourceExhausted, $"network \"{name}\": no free /24 left in the pool {pool} (every one is taken by a network or a host route): give --subnet");
    }

    private static (string, string?)? FirstRange(CniConfigList list)
    {
        foreach (var p in list.Plugins)
        {
            if (p.Raw["ipam"] is not JsonObject ipam) continue;
            if (ipam["ranges"] is JsonArray { Count: > 0 } ranges && ranges[0] is JsonArray { Count: > 0 } set && set[0] is JsonObject r && r["subnet"] is JsonValue s)
                return (s.ToString(), r["gateway"]?.ToString());
            if (ipam["subnet"] is JsonValue legacy) return (legacy.ToString(), ipam["gateway"]?.ToString());
        }
        return null;
    }

    private void RequirePlugin(string network, string type)
    {
        if (_options.PluginDirectories.Any(d => File.Exists(Path.Combine(d, type)))) return;
        throw new CartonException(ErrorKind.NotFound,
            $"network \"{network}\": CNI plugin \"{type}\" not found in {string.Join(", ", _options.PluginDirectories)} (Debian: apt-get install containernetworking-plugins)");
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<NetworkInfo>> ListNetworksAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<NetworkInfo> list = [.. ListNetworkRecords().Select(r => WithEndpoints(r.Info))];
        return Task.FromResult(list);
    }

    /// <inheritdoc/>
    public async Task<NetworkInfo> InspectNetworkAsync(string nameOrId, CancellationToken cancellationToken = default)
    {
        var record = await ResolveNetworkAsync(nameOrId, cancellationToken);
        return WithEndpoints(record.Info);
    }

    /// <inheritdoc/>
    public async Task DeleteNetworkAsync(string nameOrId, CancellationToken cancellationToken = default)
    {
        using var held = await LockAsync(cancellationToken);
        var record = FindNetwork(nameOrId) ?? throw NoSuchNetwork(nameOrId);
        var endpoints = ListEndpointRecords().Where(e => e.NetworkId == record.Info.Id).ToList();
        if (endpoints.Count > 0)
            throw new CartonException(ErrorKind.InvalidState,
                $"network \"{record.Info.Name}\" has {endpoints.Count} endpoint(s) ({string.Join(", ", endpoints.Select(e => e.Name ?? e.Id[..12]))}): delete them first");
        File.Delete(NetworkPath(record.Info.Name));
        // The bridge plugin makes the bridge on first ADD and never removes it; the network's end is its end.
        if (record.Info.Bridge is { } bridge) DeleteLink(bridge);
        if (record.Masquerade && record.Info.Subnet is { } subnet) NetworkMasquerade.Remove(record.Info.Name, subnet);
        if (record.Forward && record.Info.Bridge is { } forwarded) NetworkForwarding.Remove(record.Info.Name, forwarded);
        _ruled.Remove(record.Info.Id);
        TryDeleteDirectory(Path.Combine(IpamDir, record.Info.Name));
    }

    private async Task<NetworkRecord> ResolveNetworkAsync(string? nameOrId, CancellationToken ct)
    {
        var key = string.IsNullOrEmpty(nameOrId) ? NetworkDefaults.DefaultNetworkName : nameOrId;
        if (FindNetwork(key) is { } found) return found;
        if (key != NetworkDefaults.DefaultNetworkName) throw NoSuchNetwork(key);
        using var held = await LockAsync(ct);
        // the default network is made on first use, under the lock (two first uses make one)
        if (FindNetwork(key) is { } raced) return raced;
        CreateNetworkLocked(new NetworkCreateOptions { Name = NetworkDefaults.DefaultNetworkName });
        return FindNetwork(key)!;
    }

    private NetworkRecord? FindNetwork(string nameOrId)
    {
        if (NetworkNameRegex().IsMatch(nameOrId) && RecordFiles.Read(NetworkPath(nameOrId), NetworkRecordsJsonContext.Default.NetworkRecord) is { } byName)
            return byName;
        var matches = ListNetworkRecords().Where(r => r.Info.Id.StartsWith(nameOrId, StringComparison.Ordinal)).ToList();
        if (matches.Count > 1) throw new CartonException(ErrorKind.InvalidDocument, $"network id prefix \"{nameOrId}\" is ambiguous: {string.Join(", ", matches.Select(m => m.Info.Name))}");
        return matches.Count == 1 && nameOrId.Length >= 3 ? matches[0] : null;
    }

    private List<NetworkRecord> ListNetworkRecords() => RecordFiles.ReadAll(_options.StateRoot, ".json", NetworkRecordsJsonContext.Default.NetworkRecord);

    private NetworkInfo WithEndpoints(NetworkInfo info)
    {
        info.Endpoints = [.. ListEndpointRecords().Where(e => e.NetworkId == info.Id).Select(e => e.Id)];
        return info;
    }

    private static CartonException NoSuchNetwork(string name) => new(ErrorKind.NotFound, $"network \"{name}\" not found");

    // ---------------------------------------------------------------- endpoints

    /// <inheritdoc/>
    public async Task<EndpointInfo> CreateEndpointAsync(EndpointCreateOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var network = await ResolveNetworkAsync(options.Network, cancellationToken);
        using var held = await LockAsync(cancellationToken);
        var net = network.Info;
        if (options.Name is { } n && !HostNameRegex().IsMatch(n)) throw Invalid("name", $"network \"{net.Name}\": endpoint name \"{n}\" is not a valid host name");
        foreach (var (a, i) in (options.Aliases ?? []).Select((a, i) => (a, i)))
            if (!HostNameRegex().IsMatch(a)) throw Invalid($"aliases[{i}]", $"network \"{net.Name}\": alias \"{a}\" is not a valid host name");
        var ports = options.Ports ?? [];
        for (int i = 0; i < ports.Count; i++) PortMappingParser.Validate(ports[i], $"ports[{i}]");
        if (ports.Count > 0 && net.Internal) throw Invalid("ports", $"network \"{net.Name}\" is internal: it publishes no ports");
        if (ports.Count > 0 && !net.Plugins.Contains("portmap")) throw Invalid("ports", $"network \"{net.Name}\" has no portmap plugin: it cannot publish ports");
        if (options.IpAddress is { } ip)
        {
            if (!Ipv4Subnet.TryParseAddress(ip, out var addr)) throw Invalid("ipAddress", $"network \"{net.Name}\": \"{ip}\" is not an IPv4 address");
            if (net.Subnet is not null && Ipv4Subnet.TryParse(net.Subnet, out var sn, out _) && (!sn.Contains(addr) || addr == sn.Network || addr == sn.Broadcast))
                throw Invalid("ipAddress", $"network \"{net.Name}\": {ip} is not a host address of its subnet {net.Subnet}");
        }
        if (options.MacAddress is { } mac && !MacRegex().IsMatch(mac)) throw Invalid("macAddress", $"network \"{net.Name}\": \"{mac}\" is not a MAC address (xx:xx:xx:xx:xx:xx)");
        var existing = ListEndpointRecords(); // read once: both checks below go over every endpoint
        // host ports taken by other endpoints' NAT rules are not visible to bind(): check the records as well
        foreach (var p in ports.Where(p => p.HostPort != 0))
            foreach (var other in existing)
                if (other.Ports.FirstOrDefault(q => q.HostPort == p.HostPort && q.Protocol == p.Protocol && (string.IsNullOrEmpty(q.HostIp) || string.IsNullOrEmpty(p.HostIp) || q.HostIp == p.HostIp)) is { } clash)
                    throw new CartonException(ErrorKind.AlreadyExists, $"network \"{net.Name}\": publish {p}: host port {p.HostPort}/{p.Protocol} is already published by endpoint {other.Name ?? other.Id[..12]} ({clash})");
        // a name or alias resolves to one endpoint per network (docker refuses a second container name the same way)
        var taken = existing.Where(e => e.NetworkId == net.Id)
            .SelectMany(e => new[] { e.Name }.OfType<string>().Concat(e.Aliases).Select(n => (Name: n, Owner: e))).ToList();
        foreach (var wanted in new[] { options.Name }.OfType<string>().Concat(options.Aliases ?? []))
            if (taken.FirstOrDefault(t => string.Equals(t.Name, wanted, StringComparison.OrdinalIgnoreCase)) is { Owner: not null } clashName)
                throw new CartonException(ErrorKind.AlreadyExists, $"network \"{net.Name}\": the name \"{wanted}\" is already taken by endpoint {Label(clashName.Owner)}");
        var id = NewId();
        var reserved = ports.Count > 0 ? _ports.Reserve(id, net.Name, ports) : [];
        var endpoint = new EndpointInfo
        {
            Id = id, Network = net.Name, NetworkId = net.Id, Name = options.Name, Aliases = options.Aliases ?? [], Ports = reserved,
            RequestedIpAddress = options.IpAddress, RequestedMacAddress = options.MacAddress, Labels = options.Labels, Created = DateTimeOffset.UtcNow,
        };
        try
        {
            RecordFiles.Write(EndpointPath(id), endpoint, NetworkRecordsJsonContext.Default.EndpointInfo);
        }
        catch
        {
            _ports.Release(id);
            throw;
        }
        return endpoint;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<EndpointInfo>> ListEndpointsAsync(string? network = null, CancellationToken cancellationToken = default)
    {
        IEnumerable<EndpointInfo> all = ListEndpointRecords();
        if (!string.IsNullOrEmpty(network))
        {
            var net = FindNetwork(network) ?? throw NoSuchNetwork(network);
            all = all.Where(e => e.NetworkId == net.Info.Id);
        }
        IReadOnlyList<EndpointInfo> list = [.. all];
        return Task.FromResult(list);
    }

    /// <inheritdoc/>
    public Task<EndpointInfo> InspectEndpointAsync(string id, CancellationToken cancellationToken = default) => Task.FromResult(FindEndpoint(id));

    /// <inheritdoc/>
    public async Task<EndpointInfo> AttachEndpointAsync(string endpointId, string namespaceId, CancellationToken cancellationToken = default)
    {
        using var held = await LockAsync(cancellationToken);
        var endpoint = FindEndpoint(endpointId);
        var ns = FindNamespace(namespaceId);
        if (endpoint.Namespace is { } current)
            throw new CartonException(ErrorKind.InvalidState, $"endpoint {Label(endpoint)} is already attached to namespace {current}");
        var network = FindNetwork(endpoint.NetworkId) ?? throw new CartonException(ErrorKind.NotFound, $"endpoint {Label(endpoint)}: its network \"{endpoint.Network}\" no longer exists");
        var list = BridgeConfList.ForEndpoint(network.ConfList, network.Info.Driver, endpoint.Ports.Count > 0, $"network \"{network.Info.Name}\"");
        var used = ListEndpointRecords().Where(e => e.Namespace == ns.Id).Select(e => e.InterfaceName).ToHashSet(StringComparer.Ordinal);
        var ifName = Enumerable.Range(0, 64).Select(i => "eth" + i).First(n => !used.Contains(n));
        if (!_ruled.Contains(network.Info.Id))
        {
            if (network.Masquerade && network.Info.Subnet is { } masq) NetworkMasquerade.Ensure(network.Info.Name, masq);
            if (network.Forward && network.Info.Bridge is { } bridge) NetworkForwarding.Ensure(network.Info.Name, bridge);
            _ruled.Add(network.Info.Id);
        }
        var rt = RuntimeConfig(ns.Id, ifName, endpoint, ns.Path);
        var result = await _cni.AddAsync(list, rt, cancellationToken);
        try
        {
            var iface = result.Interfaces.Select((x, i) => (x, i)).FirstOrDefault(t => t.x.Sandbox is not null && t.x.Name == ifName);
            var ipc = result.Ips.FirstOrDefault(a => a.Interface == iface.i && iface.x is not null) ?? result.Ips.FirstOrDefault();
            endpoint.Namespace = ns.Id;
            endpoint.InterfaceName = ifName;
            endpoint.IpAddress = ipc?.Address;
            endpoint.Gateway = ipc?.Gateway;
            endpoint.MacAddress = iface.x?.Mac;
            RecordFiles.Write(EndpointPath(endpoint.Id), endpoint, NetworkRecordsJsonContext.Default.EndpointInfo);
        }
        catch
        {
            await _cni.DeleteAsync(list, rt, CancellationToken.None);
            throw;
        }
        RewriteHosts(endpoint.NetworkId, also: ns.Id);
        return endpoint;
    }

    private static CniRuntimeConfig RuntimeConfig(string namespaceId, string ifName, EndpointInfo endpoint, string? pin = null)
    {
        var caps = new Dictionary<string, JsonNode?>();
        if (endpoint.Ports.Count > 0)
            caps["portMappings"] = new JsonArray([.. endpoint.Ports.Select(p => (JsonNode)new JsonObject
            {
                ["hostPort"] = p.HostPort, ["containerPort"] = p.ContainerPort, ["protocol"] = p.Protocol, ["hostIP"] = p.HostIp ?? "",
            })]);
        if (endpoint.RequestedIpAddress is { } ip) caps["ips"] = new JsonArray(JsonValue.Create(ip));
        if (endpoint.RequestedMacAddress is { } mac) caps["mac"] = JsonValue.Create(mac);
        return new CniRuntimeConfig { ContainerId = namespaceId, NetnsPath = pin ?? "", IfName = ifName, CapabilityArgs = caps };
    }

    /// <inheritdoc/>
    public async Task<EndpointInfo> DetachEndpointAsync(string endpointId, CancellationToken cancellationToken = default)
    {
        using var held = await LockAsync(cancellationToken);
        var endpoint = FindEndpoint(endpointId);
        await DetachLockedAsync(endpoint, cancellationToken);
        return endpoint;
    }

    private async Task DetachLockedAsync(EndpointInfo endpoint, CancellationToken ct)
    {
        if (endpoint.Namespace is not { } nsId) return;
        var network = FindNetwork(endpoint.NetworkId);
        var list = network is null ? null : BridgeConfList.ForEndpoint(network.ConfList, network.Info.Driver, endpoint.Ports.Count > 0, $"network \"{network.Info.Name}\"");
        var pin = PinPath(nsId);
        var rt = RuntimeConfig(nsId, endpoint.InterfaceName ?? NetworkDefaults.FirstInterfaceName, endpoint, NetworkNamespacePins.IsPinned(pin) ? pin : "");
        // with the network gone, DEL runs the configuration cached at ADD
        if (list is not null) await _cni.DeleteAsync(list, rt, ct);
        else await _cni.DeleteByNetworkNameAsync(endpoint.Network, rt, ct);
        endpoint.Namespace = null;
        endpoint.InterfaceName = null;
        endpoint.IpAddress = null;
        endpoint.Gateway = null;
        endpoint.MacAddress = null;
        RecordFiles.Write(EndpointPath(endpoint.Id), endpoint, NetworkRecordsJsonContext.Default.EndpointInfo);
        RewriteHosts(endpoint.NetworkId, also: nsId);
    }

    /// <inheritdoc/>
    public async Task DeleteEndpointAsync(string endpointId, CancellationToken cancellationToken = default)
    {
        using var held = await LockAsync(cancellationToken);
        var endpoint = FindEndpoint(endpointId);
        await DetachLockedAsync(endpoint, cancellationToken);
        File.Delete(EndpointPath(endpoint.Id));
        _ports.Release(endpoint.Id);
    }

    private EndpointInfo FindEndpoint(string id)
    {
        if (string.IsNullOrEmpty(id) || id.Contains('/') || id.Contains('.'))
            throw new CartonException(ErrorKind.NotFound, $"endpoint \"{id}\" not found");
        if (RecordFiles.Read(EndpointPath(id), NetworkRecordsJsonContext.Default.EndpointInfo) is { } exact) return exact;
        var matches = ListEndpointRecords().Where(e => e.Id.StartsWith(id, StringComparison.Ordinal)).ToList();
        if (matches.Count == 1 && id.Length >= 3) return matches[0];
        if (matches.Count > 1) throw new CartonException(ErrorKind.InvalidDocument, $"endpoint id prefix \"{id}\" is ambiguous");
        throw new CartonException(ErrorKind.NotFound, $"endpoint \"{id}\" not found");
    }

    private List<EndpointInfo> ListEndpointRecords() => RecordFiles.ReadAll(EndpointsDir, ".json", NetworkRecordsJsonContext.Default.EndpointInfo);

    private static string Label(EndpointInfo e) => e.Name is null ? e.Id[..12] : $"{e.Id[..12]} ({e.Name})";

    // ---------------------------------------------------------------- namespaces

    /// <inheritdoc/>
    public async Task<NamespaceInfo> CreateNamespaceAsync(NamespaceCreateOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var id = options.Id ?? NewId();
        if (!NamespaceIdRegex().IsMatch(id) || id.Length > 255) throw Invalid("id", $"namespace id \"{id}\" is invalid: it must match ^[A-Za-z0-9_+-][A-Za-z0-9_+.-]*$");
        var hostname = options.Hostname ?? DefaultHostname(id);
        if (!HostNameRegex().IsMatch(hostname) || hostname.Length > 64) throw Invalid("hostname", $"namespace {id}: hostname \"{hostname}\" is not a valid host name (at most 64 characters)");
        foreach (var (d, i) in (options.Dns ?? []).Select((d, i) => (d, i)))
            if (!System.Net.IPAddress.TryParse(d, out _)) throw Invalid($"dns[{i}]", $"namespace {id}: DNS server \"{d}\" is not an IP address");
        foreach (var (x, i) in (options.ExtraHosts ?? []).Select((x, i) => (x, i)))
        {
            var colon = x.IndexOf(':');
            if (colon <= 0 || !HostNameRegex().IsMatch(x[..colon]) || !System.Net.IPAddress.TryParse(x[(colon + 1)..], out _))
                throw Invalid($"extraHosts[{i}]", $"namespace {id}: extra host \"{x}\" is not NAME:IP");
        }
        foreach (var (s, i) in (options.DnsSearch ?? []).Concat(options.DnsOptions ?? []).Select((s, i) => (s, i)))
            if (s.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) throw Invalid("dnsSearch", $"namespace {id}: \"{s}\" has spaces or control characters");
        using var held = await LockAsync(cancellationToken);
        if (Directory.Exists(NamespaceDir(id)) || File.Exists(PinPath(id)))
            throw new CartonException(ErrorKind.AlreadyExists, $"namespace {id} already exists");
        var dir = NamespaceDir(id);
        var ns = new NamespaceInfo
        {
            Id = id, Path = PinPath(id), Hostname = hostname, Options = options, Labels = options.Labels, Created = DateTimeOffset.UtcNow,
            HostsPath = Path.Combine(dir, "hosts"), ResolvConfPath = Path.Combine(dir, "resolv.conf"), HostnamePath = Path.Combine(dir, "hostname"),
        };
        NetworkNamespacePins.PrepareDirectory(_options.NetnsDirectory);
        Directory.CreateDirectory(dir);
        bool pinned = false;
        try
        {
            // the pin comes with lo up (CNI's loopback plugin would cost a process at create and one at delete)
            NetworkNamespacePins.Create(ns.Path);
            pinned = true;
            NamespaceFiles.WriteInPlace(ns.HostnamePath, hostname + "\n");
            NamespaceFiles.WriteInPlace(ns.ResolvConfPath, NamespaceFiles.ResolvConf(options.Dns, options.DnsSearch, options.DnsOptions, _options.HostResolvConf));
            NamespaceFiles.WriteInPlace(ns.HostsPath, NamespaceFiles.Hosts(hostname, [], [], options.ExtraHosts ?? []));
            RecordFiles.Write(NamespaceRecordPath(id), ns, NetworkRecordsJsonContext.Default.NamespaceInfo);
        }
        catch
        {
            if (pinned) NetworkNamespacePins.Remove(ns.Path);
            TryDeleteDirectory(dir);
            throw;
        }
        return ns;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<NamespaceInfo>> ListNamespacesAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<NamespaceInfo> list = [.. ListNamespaceRecords().Select(WithNamespaceEndpoints)];
        return Task.FromResult(list);
    }

    /// <inheritdoc/>
    public Task<NamespaceInfo> InspectNamespaceAsync(string id, CancellationToken cancellationToken = default) => Task.FromResult(WithNamespaceEndpoints(FindNamespace(id)));

    /// <inheritdoc/>
    public async Task DeleteNamespaceAsync(string id, CancellationToken cancellationToken = default)
    {
        using var held = await LockAsync(cancellationToken);
        var ns = FindNamespace(id);
        foreach (var e in ListEndpointRecords().Where(e => e.Namespace == ns.Id)) await DetachLockedAsync(e, cancellationToken);
        NetworkNamespacePins.Remove(ns.Path);
        TryDeleteDirectory(NamespaceDir(ns.Id));
    }

    private NamespaceInfo FindNamespace(string id)
    {
        if (string.IsNullOrEmpty(id) || !NamespaceIdRegex().IsMatch(id))
            throw new CartonException(ErrorKind.NotFound, $"namespace \"{id}\" not found");
        return RecordFiles.Read(NamespaceRecordPath(id), NetworkRecordsJsonContext.Default.NamespaceInfo)
               ?? throw new CartonException(ErrorKind.NotFound, $"namespace \"{id}\" not found");
    }

    private List<NamespaceInfo> ListNamespaceRecords()
    {
        var list = new List<NamespaceInfo>();
        if (!Directory.Exists(NamespacesDir)) return list;
        foreach (var d in Directory.EnumerateDirectories(NamespacesDir).Order(StringComparer.Ordinal))
            if (RecordFiles.Read(Path.Combine(d, "namespace.json"), NetworkRecordsJsonContext.Default.NamespaceInfo) is { } ns) list.Add(ns);
        return list;
    }

    private NamespaceInfo WithNamespaceEndpoints(NamespaceInfo ns)
    {
        ns.Endpoints = [.. ListEndpointRecords().Where(e => e.Namespace == ns.Id).Select(e => e.Id)];
        return ns;
    }

    /// <summary>Rewrites /etc/hosts of every namespace with an endpoint on <paramref name="networkId"/>, and of
    /// <paramref name="also"/> (a namespace that just left it).</summary>
    private void RewriteHosts(string networkId, string? also)
    {
        var endpoints = ListEndpointRecords();
        var affected = endpoints.Where(e => e.NetworkId == networkId && e.Namespace is not null).Select(e => e.Namespace!).ToHashSet(StringComparer.Ordinal);
        if (also is not null) affected.Add(also);
        foreach (var nsId in affected)
        {
            var ns = RecordFiles.Read(NamespaceRecordPath(nsId), NetworkRecordsJsonContext.Default.NamespaceInfo);
            if (ns is null) continue;
            var mine = endpoints.Where(e => e.Namespace == nsId && e.IpAddress is not null).ToList();
            var myNetworks = mine.Select(e => e.NetworkId).ToHashSet(StringComparer.Ordinal);
            var own = mine.Select(e => new NamespaceFiles.HostEntry(Address(e.IpAddress!), Names(e)));
            var others = endpoints.Where(e => e.Namespace is not null && e.Namespace != nsId && e.IpAddress is not null && myNetworks.Contains(e.NetworkId))
                .Select(e => new NamespaceFiles.HostEntry(Address(e.IpAddress!), Names(e)));
            NamespaceFiles.WriteInPlace(ns.HostsPath, NamespaceFiles.Hosts(ns.Hostname, own, others, ns.Options.ExtraHosts ?? []));
        }
        static string Address(string cidr) => cidr.Split('/')[0];
        static List<string> Names(EndpointInfo e) => [.. new[] { e.Name }.OfType<string>().Concat(e.Aliases)];
    }

    // ---------------------------------------------------------------- recovery, locking, helpers

    private void Recover()
    {
        using var held = LockAsync(CancellationToken.None).GetAwaiter().GetResult();
        var endpoints = ListEndpointRecords();
        var liveNamespaces = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ns in ListNamespaceRecords())
        {
            if (NetworkNamespacePins.IsPinned(ns.Path)) { liveNamespaces.Add(ns.Id); continue; }
            // the pin is gone (a reboot, or removed by hand): the namespace and its interfaces are gone with it
            NetworkNamespacePins.Remove(ns.Path);
            TryDeleteDirectory(NamespaceDir(ns.Id));
        }
        foreach (var e in endpoints)
        {
            if (e.Namespace is { } nsId && !liveNamespaces.Contains(nsId))
            {
                try
                {
                    DetachLockedAsync(e, CancellationToken.None).GetAwaiter().GetResult();
                }
                catch (CartonException)
                {
                    // kept attached in the record: a later detach or delete retries the DEL
                }
            }
            if (e.Ports.Count > 0)
            {
                try { _ports.Reserve(e.Id, e.Network, e.Ports); }
                catch (CartonException) { /* taken meanwhile by someone else while no service ran: the NAT rule still wins (docs/network.md, gaps) */ }
            }
        }
        // CNI GC: every cached attachment no endpoint accounts for was left by a crash
        // between ADD and the record; GC runs its DEL from the cache (freeing its address and veth) and drops it.
        var attached = ListEndpointRecords().Where(e => e.Namespace is not null && e.InterfaceName is not null).ToList();
        foreach (var network in ListNetworkRecords())
        {
            try
            {
                var list = CniConfigList.Parse(network.ConfList, $"network \"{network.Info.Name}\"");
                var valid = attached.Where(e => e.NetworkId == network.Info.Id).Select(e => new CniAttachmentKey(e.Namespace!, e.InterfaceName!)).ToList();
                _cni.GcAsync(list, valid).GetAwaiter().GetResult();
            }
            catch (CartonException) { /* a plugin that fails GC: the next start tries again */ }
        }
    }

    private async Task<IDisposable> LockAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            Directory.CreateDirectory(_options.RunRoot);
            var file = new FileStream(Path.Combine(_options.RunRoot, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
            try
            {
                FileLock.Exclusive((int)file.SafeFileHandle.DangerousGetHandle(), $"lock {_options.RunRoot}/.lock");
            }
            catch
            {
                file.Dispose();
                throw;
            }
            return new Releaser(this, file);
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    private sealed class Releaser(NetworkService owner, FileStream file) : IDisposable
    {
        public void Dispose()
        {
            file.Dispose();
            owner._gate.Release();
        }
    }

    /// <summary>The id's first 12 characters as a host name: characters a host name cannot hold become '-'.</summary>
    private static string DefaultHostname(string id)
    {
        var h = new string([.. (id.Length > 12 ? id[..12] : id).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '-')]).TrimStart('-', '.', '_');
        return h.Length == 0 ? "carton" : h;
    }

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static CartonException Invalid(string field, string message) =>
        new(ErrorKind.InvalidDocument, message, jsonPath: field, reason: message);

    private static void TryDeleteDirectory(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }

    private static void DeleteLink(string name)
    {
        var ip = new[] { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip" }.FirstOrDefault(File.Exists);
        if (ip is null) return;
        var psi = new ProcessStartInfo(ip) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "link", "delete", name, "type", "bridge" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.WaitForExit(10_000);
        // "Cannot find device": the bridge was never made (no endpoint ever attached)
    }

    /// <summary>Releases the held ports (the daemon stops; a new instance holds them again).</summary>
    public void Dispose()
    {
        _ports.Dispose();
        _gate.Dispose();
    }
}
