using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Carton.Windows.Network;

namespace Carton.Network.Windows;

/// <summary>
/// <see cref="INetworkService"/> on Windows, over the Host Compute Network service (<see cref="IHostComputeNetwork"/>).
/// <list type="bullet">
/// <item><b>Networks</b> are HCN networks: NAT ones (Docker on Windows' "nat"; <see cref="NetworkInfo.Driver"/> "nat"),
/// or, for <see cref="NetworkCreateOptions.Internal"/>, HCN's Internal type with no default route. The subnet and
/// gateway are the network's static Ipam. A CNI configuration list is refused: HCN networks are not configured by CNI
/// plugins. There is no host bridge device (<see cref="NetworkInfo.Bridge"/> is null; HNS names the host vNIC itself),
/// and no CNI version or plugin chain.</item>
/// <item><b>Endpoints</b> are Carton records until they are attached: attaching creates the HCN endpoint (its
/// ports as PortMapping policies, the address and MAC asked for, and the namespace's DNS as the endpoint's Dns, which
/// is what a Windows container's resolver uses) and adds it to the HCN namespace; detaching removes it from the
/// namespace and deletes it. This is the contract's "HNS allocates at attach", and the CNI ADD/DEL of the Linux
/// service; the endpoint keeps its GUID across attachments. Names and aliases live in Carton's record only: HCN has no
/// aliases, and no hosts file is written (see below).</item>
/// <item><b>Namespaces</b> are HCN namespaces of type Host (compartments for process-isolated containers);
/// <see cref="NamespaceInfo.Path"/> is the namespace's GUID, what an HCS document's Networking.Namespace and an OCI
/// spec's windows.network.networkNamespace take.</item>
/// <item><b>Ids.</b> <see cref="HcnIds"/>: a network's or endpoint's 64-hex id begins with its HCN GUID.</item>
/// </list>
/// What HCN does not have: hosts, resolv.conf and hostname files. <see cref="NamespaceInfo.HostsPath"/>,
/// <see cref="NamespaceInfo.ResolvConfPath"/> and <see cref="NamespaceInfo.HostnamePath"/> are empty (Windows
/// containers do not bind-mount them; the hostname goes into the HCS document, DNS into the endpoint), endpoint names
/// and aliases are not resolvable by other containers through a hosts file, and extra hosts are refused (Unsupported).
/// Mutations are serialised by a lock in this process only; two services on one state root are not supported.
/// </summary>
public sealed partial class WindowsNetworkService : INetworkService, IDisposable
{
    private readonly IHostComputeNetwork _hcn;
    private readonly WindowsNetworkServiceOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>A service over <paramref name="hcn"/>, keeping its records under <paramref name="options"/>' state root.</summary>
    public WindowsNetworkService(IHostComputeNetwork hcn, WindowsNetworkServiceOptions? options = null)
    {
        _hcn = hcn ?? throw new ArgumentNullException(nameof(hcn));
        _options = options ?? new WindowsNetworkServiceOptions();
        Directory.CreateDirectory(NetworksDir);
        Directory.CreateDirectory(EndpointsDir);
        Directory.CreateDirectory(NamespacesDir);
    }

    /// <summary>The service over this host's computenetwork.dll; Unsupported anywhere but Windows.</summary>
    public static WindowsNetworkService ForThisHost(WindowsNetworkServiceOptions? options = null)
    {
        if (!OperatingSystem.IsWindows())
            throw new CartonException(ErrorKind.Unsupported, "the Windows network service needs Windows' Host Compute Network service (computenetwork.dll)");
        return new WindowsNetworkService(new HostComputeNetworkApi(), options);
    }

    /// <summary>The options in use.</summary>
    public WindowsNetworkServiceOptions Options => _options;

    private string NetworksDir => Path.Combine(_options.StateRoot, "networks");
    private string EndpointsDir => Path.Combine(_options.StateRoot, "endpoints");
    private string NamespacesDir => Path.Combine(_options.StateRoot, "namespaces");
    private string NetworkPath(string name) => Path.Combine(NetworksDir, name + ".json");
    private string EndpointPath(string id) => Path.Combine(EndpointsDir, id + ".json");
    // Namespace ids may end in '.', which Windows trims from file names: the record is named by the namespace's GUID.
    private string NamespacePath(string id) => Path.Combine(NamespacesDir, HcnIds.NamespaceGuidOf(id).ToString("N") + ".json");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")] private static partial Regex NetworkNameRegex();
    [GeneratedRegex(@"^[A-Za-z0-9_+-][A-Za-z0-9_+.-]*\z")] private static partial Regex NamespaceIdRegex();
    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,252})\z")] private static partial Regex HostNameRegex();
    [GeneratedRegex(@"^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}\z")] private static partial Regex MacRegex();

    // ---------------------------------------------------------------- networks

    /// <inheritdoc/>
    public async Task<NetworkInfo> CreateNetworkAsync(NetworkCreateOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return WithEndpoints(CreateNetworkLocked(options));
        }
        finally
        {
            _gate.Release();
        }
    }

    private NetworkInfo CreateNetworkLocked(NetworkCreateOptions options)
    {
        var name = options.Name;
        if (!NetworkNameRegex().IsMatch(name ?? ""))
            throw Invalid("name", $"network name \"{name}\" is invalid: it must match [A-Za-z0-9][A-Za-z0-9_.-]* and be at most 64 characters");
        if (options.ConfList is not null)
            throw new CartonException(ErrorKind.Unsupported,
                $"network \"{name}\": a CNI configuration list cannot be used on Windows: HCN networks are made by the Host Network Service, not by CNI plugins; give a subnet and gateway instead",
                jsonPath: "confList", reason: "CNI configuration lists are not supported on Windows");
        if (File.Exists(NetworkPath(name!))) throw new CartonException(ErrorKind.AlreadyExists, $"network \"{name}\" already exists");
        var records = ListNetworkRecords();
        Ipv4Subnet subnet;
        if (options.Subnet is not null)
        {
            if (!Ipv4Subnet.TryParse(options.Subnet, out subnet, out var why)) throw Invalid("subnet", $"network \"{name}\": subnet \"{options.Subnet}\": {why}");
            foreach (var other in records)
                if (other.Subnet is { } s && Ipv4Subnet.TryParse(s, out var taken, out _) && taken.Overlaps(subnet))
                    throw new CartonException(ErrorKind.InvalidState, $"network \"{name}\": subnet {subnet} overlaps network \"{other.Name}\" ({taken})",
                        jsonPath: "subnet", reason: $"overlaps {taken}");
        }
        else subnet = PickSubnet(name!, records);
        uint gw;
        if (options.Gateway is not null)
        {
            if (!Ipv4Subnet.TryParseAddress(options.Gateway, out gw)) throw Invalid("gateway", $"network \"{name}\": gateway \"{options.Gateway}\" is not an IPv4 address");
            if (!subnet.Contains(gw) || gw == subnet.Network || gw == subnet.Broadcast)
                throw Invalid("gateway", $"network \"{name}\": gateway {options.Gateway} is not a host address of {subnet}");
        }
        else gw = subnet.Network + 1;
        var id = HcnIds.NewId();
        var guid = HcnIds.GuidOf(id);
        var info = new NetworkInfo
        {
            Id = id, Name = name!, Driver = options.Internal ? "internal" : "nat", Subnet = subnet.ToString(), Gateway = Ipv4Subnet.Format(gw),
            Internal = options.Internal, Labels = options.Labels, Created = DateTimeOffset.UtcNow,
        };
        CreateHcnNetwork(info);
        try
        {
            RecordFiles.Write(NetworkPath(info.Name), info, NetworkJsonContext.Default.NetworkInfo);
        }
        catch
        {
            TryDelete(() => _hcn.DeleteNetwork(guid));
            throw;
        }
        return info;
    }

    /// <summary>Creates the HCN network a record describes (at create, and again when HNS no longer has it: HNS drops
    /// NAT networks at reboot, which is why Docker on Windows makes "nat" again when it starts).</summary>
    private void CreateHcnNetwork(NetworkInfo info)
    {
        var guid = HcnIds.GuidOf(info.Id);
        var doc = HcnDocuments.Network(guid, info.Name, info.Subnet!, info.Gateway!, info.Internal);
        try
        {
            _hcn.CreateNetwork(guid, HcnDocuments.Json(doc));
        }
        catch (HostComputeNetworkException e)
        {
            throw e.About($"network \"{info.Name}\" ({guid:D})");
        }
    }

    private Ipv4Subnet PickSubnet(string name, List<NetworkInfo> records)
    {
        if (!Ipv4Subnet.TryParse(_options.SubnetPool, out var pool, out var why))
            throw new CartonException(ErrorKind.InvalidDocument, $"subnet pool \"{_options.SubnetPool}\": {why}");
        var taken = records.Select(r => r.Subnet is { } s && Ipv4Subnet.TryParse(s, out var t, out _) ? t : (Ipv4Subnet?)null).OfType<Ipv4Subnet>().ToList();
        for (ulong n = pool.Network; n < pool.Broadcast; n += 256)
        {
            var candidate = new Ipv4Subnet((uint)n, 24);
            if (!taken.Any(t => t.Overlaps(candidate))) return candidate;
        }
        throw new CartonException(ErrorKind.ResourceExhausted, $"network \"{name}\": no free /24 left in the pool {pool}: give a subnet");
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<NetworkInfo>> ListNetworksAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<NetworkInfo> list = [.. ListNetworkRecords().Select(WithEndpoints)];
        return Task.FromResult(list);
    }

    /// <inheritdoc/>
    public async Task<NetworkInfo> InspectNetworkAsync(string nameOrId, CancellationToken cancellationToken = default) =>
        WithEndpoints(await ResolveNetworkAsync(nameOrId, cancellationToken));

    /// <inheritdoc/>
    public async Task DeleteNetworkAsync(string nameOrId, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var network = FindNetwork(nameOrId) ?? throw NoSuchNetwork(nameOrId);
            var endpoints = ListEndpointRecords().Where(e => e.NetworkId == network.Id).ToList();
            if (endpoints.Count > 0)
                throw new CartonException(ErrorKind.InvalidState,
                    $"network \"{network.Name}\" has {endpoints.Count} endpoint(s) ({string.Join(", ", endpoints.Select(Label))}): delete them first");
            var guid = HcnIds.GuidOf(network.Id);
            try
            {
                _hcn.DeleteNetwork(guid);
            }
            catch (HostComputeNetworkException e) when (e.Kind == ErrorKind.NotFound)
            {
                // HNS no longer has it (a reboot dropped it): the record is all that is left
            }
            catch (HostComputeNetworkException e)
            {
                throw e.About($"network \"{network.Name}\" ({guid:D})");
            }
            RecordFiles.Delete(NetworkPath(network.Name));
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<NetworkInfo> ResolveNetworkAsync(string? nameOrId, CancellationToken ct)
    {
        var key = string.IsNullOrEmpty(nameOrId) ? NetworkDefaults.DefaultNetworkName : nameOrId;
        if (FindNetwork(key) is { } found) return found;
        if (key != NetworkDefaults.DefaultNetworkName) throw NoSuchNetwork(key);
        await _gate.WaitAsync(ct);
        try
        {
            // the default network is made on first use, under the lock (two first uses make one)
            return FindNetwork(key) ?? CreateNetworkLocked(new NetworkCreateOptions { Name = NetworkDefaults.DefaultNetworkName });
        }
        finally
        {
            _gate.Release();
        }
    }

    private NetworkInfo? FindNetwork(string nameOrId)
    {
        if (NetworkNameRegex().IsMatch(nameOrId) && RecordFiles.Read(NetworkPath(nameOrId), NetworkJsonContext.Default.NetworkInfo) is { } byName)
            return byName;
        var matches = ListNetworkRecords().Where(r => r.Id.StartsWith(nameOrId, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count > 1) throw new CartonException(ErrorKind.InvalidDocument, $"network id prefix \"{nameOrId}\" is ambiguous: {string.Join(", ", matches.Select(m => m.Name))}");
        return matches.Count == 1 && nameOrId.Length >= 3 ? matches[0] : null;
    }

    private List<NetworkInfo> ListNetworkRecords() => RecordFiles.ReadAll(NetworksDir, ".json", NetworkJsonContext.Default.NetworkInfo);

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
        var net = await ResolveNetworkAsync(options.Network, cancellationToken);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return CreateEndpointLocked(net, options);
        }
        finally
        {
            _gate.Release();
        }
    }

    private EndpointInfo CreateEndpointLocked(NetworkInfo net, EndpointCreateOptions options)
    {
        if (options.Name is { } n && !HostNameRegex().IsMatch(n)) throw Invalid("name", $"network \"{net.Name}\": endpoint name \"{n}\" is not a valid host name");
        var aliases = options.Aliases ?? [];
        for (int i = 0; i < aliases.Count; i++)
            if (!HostNameRegex().IsMatch(aliases[i])) throw Invalid($"aliases[{i}]", $"network \"{net.Name}\": alias \"{aliases[i]}\" is not a valid host name");
        var ports = options.Ports ?? [];
        for (int i = 0; i < ports.Count; i++) PortMappingParser.Validate(ports[i], $"ports[{i}]");
        if (ports.Count > 0 && net.Internal) throw Invalid("ports", $"network \"{net.Name}\" is internal: it publishes no ports");
        if (options.MacAddress is { } mac && !MacRegex().IsMatch(mac)) throw Invalid("macAddress", $"network \"{net.Name}\": MAC address \"{mac}\" is not of the form aa:bb:cc:dd:ee:ff");
        var existing = ListEndpointRecords();
        if (options.IpAddress is { } ip)
        {
            Ipv4Subnet.TryParse(net.Subnet ?? "", out var subnet, out _);
            if (!Ipv4Subnet.TryParseAddress(ip, out var addr)) throw Invalid("ipAddress", $"network \"{net.Name}\": \"{ip}\" is not an IPv4 address");
            if (!subnet.Contains(addr) || addr == subnet.Network || addr == subnet.Broadcast || ip == net.Gateway)
                throw Invalid("ipAddress", $"network \"{net.Name}\": {ip} is not a free host address of {net.Subnet} (the gateway is {net.Gateway})");
            if (existing.FirstOrDefault(e => e.NetworkId == net.Id && (e.RequestedIpAddress == ip || e.IpAddress?.Split('/')[0] == ip)) is { } holder)
                throw new CartonException(ErrorKind.AlreadyExists, $"network \"{net.Name}\": address {ip} is already taken by endpoint {Label(holder)}");
        }
        foreach (var p in ports.Where(p => p.HostPort != 0))
            foreach (var other in existing)
                if (other.Ports.FirstOrDefault(q => q.HostPort == p.HostPort && q.Protocol == p.Protocol && (string.IsNullOrEmpty(q.HostIp) || string.IsNullOrEmpty(p.HostIp) || q.HostIp == p.HostIp)) is { } clash)
                    throw new CartonException(ErrorKind.AlreadyExists, $"network \"{net.Name}\": publish {p}: host port {p.HostPort}/{p.Protocol} is already published by endpoint {Label(other)} ({clash})");
        // a name or alias resolves to one endpoint per network (docker refuses a second container name the same way)
        var taken = existing.Where(e => e.NetworkId == net.Id).SelectMany(e => new[] { e.Name }.OfType<string>().Concat(e.Aliases).Select(x => (Name: x, Owner: e))).ToList();
        foreach (var wanted in new[] { options.Name }.OfType<string>().Concat(aliases))
            if (taken.FirstOrDefault(t => string.Equals(t.Name, wanted, StringComparison.OrdinalIgnoreCase)) is { Owner: not null } clashName)
                throw new CartonException(ErrorKind.AlreadyExists, $"network \"{net.Name}\": the name \"{wanted}\" is already taken by endpoint {Label(clashName.Owner)}");
        var id = HcnIds.NewId();
        var endpoint = new EndpointInfo
        {
            Id = id, Network = net.Name, NetworkId = net.Id, Name = options.Name, Aliases = [.. aliases],
            Ports = ClaimPorts(net.Name, ports, existing),
            RequestedIpAddress = options.IpAddress, RequestedMacAddress = options.MacAddress?.ToLowerInvariant(), Labels = options.Labels, Created = DateTimeOffset.UtcNow,
        };
        RecordFiles.Write(EndpointPath(id), endpoint, NetworkJsonContext.Default.EndpointInfo);
        return endpoint;
    }

    /// <summary>
    /// The mappings with their host ports checked free on the host (<see cref="HostPorts"/>). Two mappings of one
    /// request may not take the same host port, and a port the system hands out for 0 may be one WinNAT already maps
    /// for another endpoint (a mapping is not a socket, so the bind cannot see it): such a port is asked for again.
    /// </summary>
    private static List<PortMapping> ClaimPorts(string network, List<PortMapping> ports, List<EndpointInfo> existing)
    {
        var claimed = new List<PortMapping>();
        bool Taken(PortMapping p) =>
            claimed.Concat(existing.SelectMany(e => e.Ports)).Any(q => q.HostPort == p.HostPort && q.Protocol == p.Protocol
                && (string.IsNullOrEmpty(q.HostIp) || string.IsNullOrEmpty(p.HostIp) || q.HostIp == p.HostIp));
        for (int i = 0; i < ports.Count; i++)
        {
            var p = ports[i];
            if (p.HostPort != 0 && Taken(p))
                throw new CartonException(ErrorKind.InvalidDocument, $"network \"{network}\": publish {p}: host port {p.HostPort}/{p.Protocol} is published twice",
                    jsonPath: $"ports[{i}].hostPort", reason: "published twice");
            var got = HostPorts.Claim(network, p);
            for (int attempt = 0; p.HostPort == 0 && Taken(got); attempt++)
            {
                if (attempt == 16) throw new CartonException(ErrorKind.ResourceExhausted, $"network \"{network}\": publish {p}: no free host port found");
                got = HostPorts.Claim(network, p);
            }
            claimed.Add(got);
        }
        return claimed;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<EndpointInfo>> ListEndpointsAsync(string? network = null, CancellationToken cancellationToken = default)
    {
        IEnumerable<EndpointInfo> all = ListEndpointRecords();
        if (!string.IsNullOrEmpty(network))
        {
            var net = FindNetwork(network) ?? throw NoSuchNetwork(network);
            all = all.Where(e => e.NetworkId == net.Id);
        }
        IReadOnlyList<EndpointInfo> list = [.. all];
        return Task.FromResult(list);
    }

    /// <inheritdoc/>
    public Task<EndpointInfo> InspectEndpointAsync(string id, CancellationToken cancellationToken = default) => Task.FromResult(FindEndpoint(id));

    /// <inheritdoc/>
    public async Task<EndpointInfo> AttachEndpointAsync(string endpointId, string namespaceId, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var endpoint = FindEndpoint(endpointId);
            var ns = FindNamespace(namespaceId);
            if (endpoint.Namespace is { } current)
                throw new CartonException(ErrorKind.InvalidState, $"endpoint {Label(endpoint)} is already attached to namespace {current}");
            var network = FindNetwork(endpoint.NetworkId)
                ?? throw new CartonException(ErrorKind.NotFound, $"endpoint {Label(endpoint)}: its network \"{endpoint.Network}\" no longer exists");
            Attach(endpoint, network, ns);
            return endpoint;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>HcnCreateEndpoint, then HcnModifyNamespace (add); a failure after the endpoint exists deletes it, so
    /// nothing is left behind.</summary>
    private void Attach(EndpointInfo endpoint, NetworkInfo network, NamespaceInfo ns)
    {
        var epGuid = HcnIds.GuidOf(endpoint.Id);
        var netGuid = HcnIds.GuidOf(network.Id);
        var nsGuid = HcnIds.NamespaceGuidOf(ns.Id);
        Ipv4Subnet.TryParse(network.Subnet ?? "", out var subnet, out _);
        var settings = HcnDocuments.Json(HcnDocuments.Endpoint(epGuid, netGuid, endpoint, subnet.Prefix, ns.Options));
        var subject = $"endpoint {Label(endpoint)} ({epGuid:D}) on network \"{network.Name}\"";
        string properties;
        try
        {
            properties = _hcn.CreateEndpoint(netGuid, epGuid, settings);
        }
        catch (HostComputeNetworkException e) when (e.HResult == HcnErrorCodes.NetworkNotFound)
        {
            // HNS no longer has the network (dropped at reboot): make it again from the record, then the endpoint
            CreateHcnNetwork(network);
            try
            {
                properties = _hcn.CreateEndpoint(netGuid, epGuid, settings);
            }
            catch (HostComputeNetworkException again)
            {
                throw again.About(subject);
            }
        }
        catch (HostComputeNetworkException e)
        {
            throw e.About(subject);
        }
        var added = false;
        try
        {
            try
            {
                _hcn.ModifyNamespace(nsGuid, HcnDocuments.Json(HcnModifyNamespaceSettingRequest.Endpoint(epGuid, add: true)));
                added = true;
            }
            catch (HostComputeNetworkException e)
            {
                throw e.About($"{subject}, adding it to namespace {ns.Id} ({nsGuid:D})");
            }
            var doc = ParseEndpoint(properties, subject);
            var config = doc.IpConfigurations?.FirstOrDefault(c => c.IpAddress is not null && Ipv4Subnet.TryParseAddress(c.IpAddress, out _));
            endpoint.Namespace = ns.Id;
            endpoint.IpAddress = config is null ? null : $"{config.IpAddress}/{config.PrefixLength ?? (byte)subnet.Prefix}";
            endpoint.Gateway = doc.Routes?.FirstOrDefault(r => r.DestinationPrefix == HcnDocuments.DefaultRoute)?.NextHop ?? (network.Internal ? null : network.Gateway);
            endpoint.MacAddress = doc.MacAddress is { } m ? HcnDocuments.FromHcnMac(m) : null;
            endpoint.InterfaceName = null; // Windows names the container's vNIC itself ("vEthernet (...)"): there is no eth0 to report
            RecordFiles.Write(EndpointPath(endpoint.Id), endpoint, NetworkJsonContext.Default.EndpointInfo);
        }
        catch
        {
            if (added)
                TryDelete(() => _hcn.ModifyNamespace(nsGuid, HcnDocuments.Json(HcnModifyNamespaceSettingRequest.Endpoint(epGuid, add: false))));
            TryDelete(() => _hcn.DeleteEndpoint(epGuid));
            endpoint.Namespace = endpoint.IpAddress = endpoint.Gateway = endpoint.MacAddress = null;
            throw;
        }
    }

    private static HostComputeEndpoint ParseEndpoint(string properties, string subject)
    {
        try
        {
            return JsonSerializer.Deserialize(properties, HcnJsonContext.Default.HostComputeEndpoint)
                   ?? throw new CartonException(ErrorKind.Internal, $"{subject}: HCN returned no endpoint properties");
        }
        catch (JsonException e)
        {
            throw new CartonException(ErrorKind.Internal, $"{subject}: HCN's endpoint properties are not a HostComputeEndpoint: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public async Task<EndpointInfo> DetachEndpointAsync(string endpointId, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var endpoint = FindEndpoint(endpointId);
            DetachLocked(endpoint);
            return endpoint;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>HcnModifyNamespace (remove), then HcnDeleteEndpoint; either object already gone is not an error.</summary>
    private void DetachLocked(EndpointInfo endpoint)
    {
        if (endpoint.Namespace is not { } nsId) return;
        var epGuid = HcnIds.GuidOf(endpoint.Id);
        var nsGuid = HcnIds.NamespaceGuidOf(nsId);
        var subject = $"endpoint {Label(endpoint)} ({epGuid:D})";
        try
        {
            _hcn.ModifyNamespace(nsGuid, HcnDocuments.Json(HcnModifyNamespaceSettingRequest.Endpoint(epGuid, add: false)));
        }
        catch (HostComputeNetworkException e) when (e.Kind == ErrorKind.NotFound) { /* the namespace or the endpoint is gone already */ }
        catch (HostComputeNetworkException e)
        {
            throw e.About($"{subject}, removing it from namespace {nsId} ({nsGuid:D})");
        }
        try
        {
            _hcn.DeleteEndpoint(epGuid);
        }
        catch (HostComputeNetworkException e) when (e.Kind == ErrorKind.NotFound) { }
        catch (HostComputeNetworkException e)
        {
            throw e.About(subject);
        }
        endpoint.Namespace = null;
        endpoint.InterfaceName = null;
        endpoint.IpAddress = null;
        endpoint.Gateway = null;
        endpoint.MacAddress = null;
        RecordFiles.Write(EndpointPath(endpoint.Id), endpoint, NetworkJsonContext.Default.EndpointInfo);
    }

    /// <inheritdoc/>
    public async Task DeleteEndpointAsync(string endpointId, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var endpoint = FindEndpoint(endpointId);
            DetachLocked(endpoint);
            RecordFiles.Delete(EndpointPath(endpoint.Id));
        }
        finally
        {
            _gate.Release();
        }
    }

    private EndpointInfo FindEndpoint(string id)
    {
        if (string.IsNullOrEmpty(id) || !id.All(char.IsAsciiHexDigit))
            throw new CartonException(ErrorKind.NotFound, $"endpoint \"{id}\" not found");
        if (RecordFiles.Read(EndpointPath(id), NetworkJsonContext.Default.EndpointInfo) is { } exact) return exact;
        var matches = ListEndpointRecords().Where(e => e.Id.StartsWith(id, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 1 && id.Length >= 3) return matches[0];
        if (matches.Count > 1) throw new CartonException(ErrorKind.InvalidDocument, $"endpoint id prefix \"{id}\" is ambiguous");
        throw new CartonException(ErrorKind.NotFound, $"endpoint \"{id}\" not found");
    }

    private List<EndpointInfo> ListEndpointRecords() => RecordFiles.ReadAll(EndpointsDir, ".json", NetworkJsonContext.Default.EndpointInfo);

    private static string Label(EndpointInfo e) => e.Name is null ? e.Id[..12] : $"{e.Id[..12]} ({e.Name})";

    // ---------------------------------------------------------------- namespaces

    /// <inheritdoc/>
    public async Task<NamespaceInfo> CreateNamespaceAsync(NamespaceCreateOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var id = options.Id ?? HcnIds.NewId();
        if (!NamespaceIdRegex().IsMatch(id) || id.Length > 255) throw Invalid("id", $"namespace id \"{id}\" is invalid: it must match ^[A-Za-z0-9_+-][A-Za-z0-9_+.-]*$");
        var hostname = options.Hostname ?? DefaultHostname(id);
        if (!HostNameRegex().IsMatch(hostname) || hostname.Length > 64) throw Invalid("hostname", $"namespace {id}: hostname \"{hostname}\" is not a valid host name (at most 64 characters)");
        var dns = options.Dns ?? [];
        for (int i = 0; i < dns.Count; i++)
            if (!IPAddress.TryParse(dns[i], out _)) throw Invalid($"dns[{i}]", $"namespace {id}: DNS server \"{dns[i]}\" is not an IP address");
        var search = options.DnsSearch ?? [];
        for (int i = 0; i < search.Count; i++)
            if (search[i].Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) throw Invalid($"dnsSearch[{i}]", $"namespace {id}: search domain \"{search[i]}\" has spaces or control characters");
        var dnsOptions = options.DnsOptions ?? [];
        for (int i = 0; i < dnsOptions.Count; i++)
            if (dnsOptions[i].Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) throw Invalid($"dnsOptions[{i}]", $"namespace {id}: DNS option \"{dnsOptions[i]}\" has spaces or control characters");
        if (options.ExtraHosts is { Count: > 0 })
            throw new CartonException(ErrorKind.Unsupported,
                $"namespace {id}: extra hosts cannot be given on Windows: a Windows container has no /etc/hosts that Carton writes (HCN gives it DNS servers, not a hosts file)",
                jsonPath: "extraHosts", reason: "no hosts file on Windows");
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (ReadNamespace(id) is not null) throw new CartonException(ErrorKind.AlreadyExists, $"namespace {id} already exists");
            var guid = HcnIds.NamespaceGuidOf(id);
            try
            {
                _hcn.CreateNamespace(guid, HcnDocuments.Json(HcnDocuments.Namespace(guid)));
            }
            catch (HostComputeNetworkException e)
            {
                throw e.About($"namespace {id} ({guid:D})");
            }
            var ns = new NamespaceInfo
            {
                Id = id, Path = guid.ToString("D"), Hostname = hostname, HostsPath = "", ResolvConfPath = "", HostnamePath = "",
                Options = options, Labels = options.Labels, Created = DateTimeOffset.UtcNow,
            };
            try
            {
                RecordFiles.Write(NamespacePath(id), ns, NetworkJsonContext.Default.NamespaceInfo);
            }
            catch
            {
                TryDelete(() => _hcn.DeleteNamespace(guid));
                throw;
            }
            return ns;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<NamespaceInfo>> ListNamespacesAsync(CancellationToken cancellationToken = default)
    {
        var endpoints = ListEndpointRecords();
        IReadOnlyList<NamespaceInfo> list = [.. RecordFiles.ReadAll(NamespacesDir, ".json", NetworkJsonContext.Default.NamespaceInfo).OrderBy(n => n.Id, StringComparer.Ordinal).Select(n => WithNamespaceEndpoints(n, endpoints))];
        return Task.FromResult(list);
    }

    /// <inheritdoc/>
    public Task<NamespaceInfo> InspectNamespaceAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(WithNamespaceEndpoints(FindNamespace(id), ListEndpointRecords()));

    /// <inheritdoc/>
    public async Task DeleteNamespaceAsync(string id, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var ns = FindNamespace(id);
            foreach (var e in ListEndpointRecords().Where(e => e.Namespace == ns.Id)) DetachLocked(e);
            var guid = HcnIds.NamespaceGuidOf(ns.Id);
            try
            {
                _hcn.DeleteNamespace(guid);
            }
            catch (HostComputeNetworkException e) when (e.Kind == ErrorKind.NotFound) { /* HNS has forgotten it already */ }
            catch (HostComputeNetworkException e)
            {
                throw e.About($"namespace {ns.Id} ({guid:D})");
            }
            RecordFiles.Delete(NamespacePath(ns.Id));
        }
        finally
        {
            _gate.Release();
        }
    }

    private NamespaceInfo? ReadNamespace(string id) =>
        RecordFiles.Read(NamespacePath(id), NetworkJsonContext.Default.NamespaceInfo) is { } ns && ns.Id == id ? ns : null;

    private NamespaceInfo FindNamespace(string id)
    {
        if (string.IsNullOrEmpty(id) || !NamespaceIdRegex().IsMatch(id) || ReadNamespace(id) is not { } ns)
            throw new CartonException(ErrorKind.NotFound, $"namespace \"{id}\" not found");
        return ns;
    }

    private static NamespaceInfo WithNamespaceEndpoints(NamespaceInfo ns, List<EndpointInfo> endpoints)
    {
        ns.Endpoints = [.. endpoints.Where(e => e.Namespace == ns.Id).Select(e => e.Id)];
        return ns;
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>The id's first 12 characters as a host name, as on Linux.</summary>
    private static string DefaultHostname(string id)
    {
        var h = new string([.. (id.Length > 12 ? id[..12] : id).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '-')]).TrimStart('-', '.', '_');
        return h.Length == 0 ? "carton" : h;
    }

    private static CartonException Invalid(string field, string message) =>
        new(ErrorKind.InvalidDocument, message, jsonPath: field, reason: message);

    /// <summary>A clean-up step after a failure: its own failure must not hide the first one.</summary>
    private static void TryDelete(Action undo)
    {
        try { undo(); }
        catch (CartonException) { }
    }

    /// <summary>Nothing to release: HCN objects outlive the service, and the records are files.</summary>
    public void Dispose() => _gate.Dispose();
}
