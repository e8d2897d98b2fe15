using System.Globalization;
using Carton.Docker.Models;
using Carton.Network;

namespace Carton.Docker;

/// <summary>
/// The /networks endpoints over the network service. Docker's three built-in networks are there: "bridge" is
/// Carton's default network (carton0), "host" and "none" are the network modes of those names (no network of the
/// service behind them). Connecting a container makes an endpoint in its network namespace; the Docker layer
/// records it and deletes it with the container.
/// </summary>
internal static class NetworkEndpoints
{
    private static readonly string[] Builtin = ["bridge", "host", "none"];

    private static INetworkService Service(DockerServices services) =>
        services.Networks ?? throw DockerErrors.NotYet("networks (the daemon runs without a network service)");

    /// <summary>GET /networks?filters (name, id, driver, label, type).</summary>
    public static async Task List(DockerServices services, HttpContext ctx)
    {
        var filters = DockerFilters.Parse(ctx, "name", "id", "driver", "label", "type", "scope", "dangling");
        var service = Service(services);
        await service.InspectNetworkAsync(NetworkDefaults.DefaultNetworkName, ctx.RequestAborted); // the default exists from now on
        var all = new List<NetworkResource>();
        foreach (var n in await service.ListNetworksAsync(ctx.RequestAborted)) all.Add(Resource(n, null));
        all.Add(Special("host"));
        all.Add(Special("none"));
        var result = all.Where(n =>
            (!filters.Has("name") || filters.Match("name", n.Name))
            && (!filters.Has("id") || filters.Get("id").Any(v => n.Id.StartsWith(v, StringComparison.Ordinal)))
            && (!filters.Has("driver") || filters.Get("driver").Contains(n.Driver))
            && (!filters.Has("type") || filters.Get("type").Contains(Builtin.Contains(n.Name) ? "builtin" : "custom"))
            && (!filters.Has("label") || filters.Get("label").All(l => l.IndexOf('=', StringComparison.Ordinal) is var eq && eq < 0
                ? n.Labels.ContainsKey(l) : n.Labels.TryGetValue(l[..eq], out var v) && v == l[(eq + 1)..]))).ToList();
        await DockerJson.WriteAsync(ctx, result, DockerJsonContext.Wire.ListNetworkResource);
    }

    /// <summary>GET /networks/{id}: by name, id or id prefix, with the containers attached.</summary>
    public static async Task Inspect(DockerServices services, HttpContext ctx)
    {
        var name = Id(ctx);
        if (name is "host" or "none")
        {
            await DockerJson.WriteAsync(ctx, Special(name), DockerJsonContext.Wire.NetworkResource);
            return;
        }
        var service = Service(services);
        var info = await Find(service, name, ctx.RequestAborted);
        var endpoints = await service.ListEndpointsAsync(info.Name, ctx.RequestAborted);
        await DockerJson.WriteAsync(ctx, Resource(info, endpoints, services.Containers.Store), DockerJsonContext.Wire.NetworkResource);
    }

    /// <summary>POST /networks/create.</summary>
    public static async Task Create(DockerServices services, HttpContext ctx)
    {
        var body = await DockerJson.ReadAsync(ctx, DockerJsonContext.Default.NetworkCreateRequest);
        if (string.IsNullOrEmpty(body.Name)) throw DockerErrors.BadRequest("network name must not be empty", "Name");
        if (Builtin.Contains(body.Name)) throw new CartonException(ErrorKind.PermissionDenied, $"{body.Name} is a pre-defined network and cannot be created");
        if (body.Driver is { Length: > 0 } driver && driver != "bridge")
            throw DockerErrors.BadRequest($"network driver \"{driver}\" is not supported by carton: only bridge", "Driver");
        if (body.EnableIPv6 == true) throw DockerErrors.BadRequest("IPv6 networks are not supported by carton yet", "EnableIPv6");
        if (body.IPAM?.Config is { Count: > 1 }) throw DockerErrors.BadRequest("carton takes one IPAM pool per network", "IPAM.Config");
        var pool = body.IPAM?.Config is [var p] ? p : null;
        var service = Service(services);
        if ((await service.ListNetworksAsync(ctx.RequestAborted)).Any(n => n.Name == body.Name))
            throw DockerErrors.Conflict($"network with name {body.Name} already exists");
        var info = await service.CreateNetworkAsync(new NetworkCreateOptions
        {
            Name = body.Name, Subnet = pool?.Subnet is { Length: > 0 } s ? s : null, Gateway = pool?.Gateway is { Length: > 0 } g ? g : null,
            Internal = body.Internal, Labels = body.Labels is { Count: > 0 } ? body.Labels : null,
        }, ctx.RequestAborted);
        services.Events.Network(info.Id, body.Name, "create");
        var warning = body.Options is { Count: > 0 } ? "network options are not applied by carton" : "";
        await DockerJson.WriteAsync(ctx, new NetworkCreateResponse { Id = info.Id, Warning = warning }, DockerJsonContext.Wire.NetworkCreateResponse, StatusCodes.Status201Created);
    }

    /// <summary>DELETE /networks/{id}: 403 for the built-in ones, and 403 while containers use it (as dockerd:
    /// libnetwork's ActiveEndpointsError is a Forbidden error, not a conflict).</summary>
    public static async Task Delete(DockerServices services, HttpContext ctx)
    {
        var name = Id(ctx);
        var service = Service(services);
        var info = name is "host" or "none" ? null : await Find(service, name, ctx.RequestAborted);
        if (info is null || info.Name == NetworkDefaults.DefaultNetworkName)
            throw new CartonException(ErrorKind.PermissionDenied, $"{(info is null ? name : "bridge")} is a pre-defined network and cannot be removed");
        var endpoints = await service.ListEndpointsAsync(info.Name, ctx.RequestAborted);
        if (endpoints.Count > 0)
            throw new CartonException(ErrorKind.PermissionDenied, $"error while removing network: network {info.Name} id {info.Id} has active endpoints");
        await service.DeleteNetworkAsync(info.Id, ctx.RequestAborted);
        services.Events.Network(info.Id, info.Name, "destroy");
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>POST /networks/{id}/connect: an endpoint for the container on the network, in its namespace.</summary>
    public static async Task Connect(DockerServices services, HttpContext ctx)
    {
        var body = await DockerJson.ReadAsync(ctx, DockerJsonContext.Default.NetworkConnectRequest);
        if (string.IsNullOrEmpty(body.Container)) throw DockerErrors.BadRequest("Container is required", "Container");
        var service = Service(services);
        var containers = services.Containers;
        var record = containers.Store.Find(body.Container);
        var network = Id(ctx);
        if (network is "host" or "none") throw DockerErrors.BadRequest($"container cannot be connected to network \"{network}\": it is a network mode, given at create", "Id");
        if (record.HostConfig.NetworkMode is "host" or "none" || record.HostConfig.NetworkMode?.StartsWith("container:", StringComparison.Ordinal) == true)
            throw DockerErrors.BadRequest($"container sharing network namespace with another container or host cannot be connected to any other network");
        var info = await Find(service, network, ctx.RequestAborted);
        var dockerName = ContainerViews.DockerNetworkName(info.Name);
        var gate = containers.LockOf(record.Id);
        await gate.WaitAsync(ctx.RequestAborted);
        try
        {
            var existing = (await service.ListEndpointsAsync(info.Name, ctx.RequestAborted)).Where(e => e.Namespace == record.Id).ToList();
            if (existing.Count > 0) throw new CartonException(ErrorKind.PermissionDenied, $"endpoint with name {record.Name.TrimStart('/')} already exists in network {dockerName}");
            List<string> aliases = [record.Name.TrimStart('/'), record.Id[..12], .. body.EndpointConfig?.Aliases ?? []];
            var endpoint = await service.CreateEndpointAsync(new EndpointCreateOptions
            {
                Network = info.Name, Aliases = [.. aliases.Distinct(StringComparer.Ordinal)],
                IpAddress = body.EndpointConfig?.IPAMConfig?.IPv4Address is { Length: > 0 } ip ? ip : null,
                MacAddress = body.EndpointConfig?.MacAddress is { Length: > 0 } mac ? mac : null,
            }, ctx.RequestAborted);
            try { await service.AttachEndpointAsync(endpoint.Id, record.Id, ctx.RequestAborted); }
            catch
            {
                await service.DeleteEndpointAsync(endpoint.Id, CancellationToken.None);
                throw;
            }
            record.ConnectedEndpoints[dockerName] = endpoint.Id;
            record.Networks[dockerName] = body.EndpointConfig;
            containers.Store.Save(record);
            services.Events.Network(info.Id, dockerName, "connect", record.Id);
        }
        finally { gate.Release(); }
        ctx.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>POST /networks/{id}/disconnect: the container's endpoint on the network is detached and deleted.</summary>
    public static async Task Disconnect(DockerServices services, HttpContext ctx)
    {
        var body = await DockerJson.ReadAsync(ctx, DockerJsonContext.Default.NetworkDisconnectRequest);
        if (string.IsNullOrEmpty(body.Container)) throw DockerErrors.BadRequest("Container is required", "Container");
        var service = Service(services);
        var containers = services.Containers;
        var record = containers.Store.Find(body.Container);
        var info = await Find(service, Id(ctx), ctx.RequestAborted);
        var dockerName = ContainerViews.DockerNetworkName(info.Name);
        var gate = containers.LockOf(record.Id);
        await gate.WaitAsync(ctx.RequestAborted);
        try
        {
            var endpoint = (await service.ListEndpointsAsync(info.Name, ctx.RequestAborted)).FirstOrDefault(e => e.Namespace == record.Id)
                ?? throw DockerErrors.Conflict($"container {record.Id} is not connected to network {dockerName}");
            // an endpoint made at create is the compute system's: deleting it here is fine (its removal skips what is gone)
            await service.DetachEndpointAsync(endpoint.Id, ctx.RequestAborted);
            await service.DeleteEndpointAsync(endpoint.Id, ctx.RequestAborted);
            record.ConnectedEndpoints.Remove(dockerName);
            record.Networks.Remove(dockerName);
            containers.Store.Save(record);
            services.Events.Network(info.Id, dockerName, "disconnect", record.Id);
        }
        finally { gate.Release(); }
        ctx.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>Deletes the endpoints /connect made for a container (before its system goes).</summary>
    public static async Task DisconnectAllAsync(DockerServices services, ContainerRecord record)
    {
        if (services.Networks is not { } service) return;
        foreach (var id in record.ConnectedEndpoints.Values)
        {
            try { await service.DetachEndpointAsync(id, CancellationToken.None); } catch (CartonException) { }
            try { await service.DeleteEndpointAsync(id, CancellationToken.None); } catch (CartonException e) when (e.Kind == ErrorKind.NotFound) { }
        }
    }

    private static async Task<NetworkInfo> Find(INetworkService service, string nameOrId, CancellationToken ct)
    {
        var name = nameOrId is "bridge" or "default" ? NetworkDefaults.DefaultNetworkName : nameOrId;
        try { return await service.InspectNetworkAsync(name, ct); }
        catch (CartonException e) when (e.Kind == ErrorKind.NotFound) { throw new CartonException(ErrorKind.NotFound, $"network {nameOrId} not found"); }
    }

    private static NetworkResource Special(string name) => new()
    {
        Name = name, Id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("carton-network-" + name))),
        Driver = name == "host" ? "host" : "null", Created = ContainerViews.Time(DateTime.UnixEpoch),
    };

    private static NetworkResource Resource(NetworkInfo n, IReadOnlyList<EndpointInfo>? endpoints, ContainerStore? store = null)
    {
        var r = new NetworkResource
        {
            Name = ContainerViews.DockerNetworkName(n.Name), Id = n.Id, Created = n.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
            Driver = "bridge", Internal = n.Internal, Labels = n.Labels ?? [],
            Options = n.Bridge is { } bridge ? new() { ["com.docker.network.bridge.name"] = bridge } : [],
            IPAM = new NetworkIpam { Config = n.Subnet is { } subnet ? [new IpamConfig { Subnet = subnet, Gateway = n.Gateway }] : [] },
        };
        foreach (var e in endpoints ?? [])
        {
            if (e.Namespace is not { } ns || store?.TryFind(ns) is not { } container) continue;
            r.Containers[container.Id] = new NetworkContainer
            {
                Name = container.Name.TrimStart('/'), EndpointID = e.Id, MacAddress = e.MacAddress ?? "", IPv4Address = e.IpAddress ?? "",
            };
        }
        return r;
    }

    private static string Id(HttpContext ctx) => (string?)ctx.Request.RouteValues["id"] ?? "";
}
