using Carton.Compute;
using Carton.Network;
using Carton.Oci;

namespace Carton.Compute.Linux;

/// <summary>
/// A system's networking through the network service (issue 12), as HCS leaves it to HNS: the system gets a
/// namespace (its own, named after it, or a pod's), endpoints on the networks it names are made and attached to it,
/// the spec's network namespace becomes the namespace's pin, and /etc/hosts, /etc/resolv.conf and /etc/hostname are
/// bind-mounted from the namespace's files. What it made is recorded, so that deleting the system (or the daemon's
/// start after a crash) undoes exactly that.
/// </summary>
internal static class SystemNetworkSetup
{
    /// <summary>The label the service puts on what it makes for a system: its id.</summary>
    public const string OwnerLabel = "carton.compute.system";

    /// <summary>The networking an HCS document asks of the network service, or null when it asks nothing of it
    /// ("none", "host" and a namespace path are the translator's).</summary>
    public static SystemNetworking? FromHcs(HcsContainer c)
    {
        var n = c.Networking;
        if (n is null) return null;
        var nsId = n.Namespace is { Length: > 0 } ns && ns is not ("none" or "host") && !ns.StartsWith('/') ? ns : null;
        bool wanted = nsId is not null || n.NetworkAdapters is { Count: > 0 } || n.Network is not null || n.Ports is { Count: > 0 } || n.DnsServerList is { Count: > 0 };
        if (!wanted) return null;
        if (n.Namespace is "host" || (n.Namespace?.StartsWith('/') ?? false))
            throw new InvalidComputeDocumentException("Container.Networking.Namespace", $"\"{n.Namespace}\": networks, endpoints and ports need a namespace of the network service, not \"host\" or a path");
        return new SystemNetworking
        {
            Namespace = nsId,
            Endpoints = n.NetworkAdapters,
            Networks = n.Network is not null || (n.Ports is { Count: > 0 } && n.NetworkAdapters is not { Count: > 0 }) ? [new SystemNetworkAttachment { Network = n.Network ?? "" }] : null,
            Ports = n.Ports,
            Hostname = c.HostName,
            Dns = n.DnsServerList,
            DnsSearch = n.DnsSearchList is { Length: > 0 } s ? [.. s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : null,
        };
    }

    /// <summary>Makes what <paramref name="net"/> asks (the namespace, the endpoints), changes <paramref name="spec"/>
    /// to use it, records it in <paramref name="record"/> and pushes the undo of each step; returns the attachment of
    /// the endpoints (CNI ADD), under way, for the caller to wait for before the system is reported created.</summary>
    public static Task Apply(string id, SystemNetworking net, string path, INetworkService service, Spec spec, ComputeRecord record, Stack<Action> undo)
    {
        var ns = spec.Linux?.Namespaces?.FirstOrDefault(n => n.Type == NamespaceKinds.Network);
        if (ns is null) throw new InvalidComputeDocumentException(path, "the spec has no network namespace (linux.namespaces): a system on a network needs one");
        if (ns.Path is { Length: > 0 }) throw new InvalidComputeDocumentException(path, $"the spec already joins the network namespace {ns.Path}: give either that or the network part");
        var networks = net.Networks ?? [];
        if (networks.Count == 0 && net.Ports is { Count: > 0 } && net.Endpoints is not { Count: > 0 })
            networks = [new SystemNetworkAttachment { Network = "" }];
        if (net.Ports is { Count: > 0 } && networks.Count == 0)
            throw new InvalidComputeDocumentException(path + ".ports", "ports are published on an endpoint the system makes: name a network too");
        for (int i = 0; i < (net.Ports?.Count ?? 0); i++) PortMappingParser.Validate(net.Ports![i], $"{path}.ports[{i}]");

        var labels = new Dictionary<string, string> { [OwnerLabel] = id };
        NamespaceInfo nsInfo;
        if (net.Namespace is { Length: > 0 } joined)
        {
            if (net.Hostname is not null || net.Dns is { Count: > 0 } || net.ExtraHosts is { Count: > 0 })
                throw new InvalidComputeDocumentException(path + ".namespace", "a joined namespace has its own hostname, DNS and hosts: give them when it is made");
            nsInfo = Wait(service.InspectNamespaceAsync(joined), path + ".namespace");
        }
        else
        {
            nsInfo = Wait(service.CreateNamespaceAsync(new NamespaceCreateOptions
            {
                Id = id, Hostname = net.Hostname ?? (spec.Hostname is { } h && IsHostName(h) ? h : null), Dns = net.Dns, DnsSearch = net.DnsSearch, DnsOptions = net.DnsOptions,
                ExtraHosts = net.ExtraHosts, Labels = labels,
            }), path);
            record.OwnsNamespace = true;
            undo.Push(() => service.DeleteNamespaceAsync(nsInfo.Id).GetAwaiter().GetResult());
        }
        record.NetworkNamespace = nsInfo.Id;

        var attachments = new List<(string Endpoint, string Path)>();
        for (int i = 0; i < networks.Count; i++)
        {
            var a = networks[i];
            var endpoint = Wait(service.CreateEndpointAsync(new EndpointCreateOptions
            {
                // a system id that is no host name ("a+b", "_x") gets no name on the network, only its aliases
                Network = a.Network, Name = IsHostName(id) ? id : null, Aliases = a.Aliases, Ports = i == 0 ? net.Ports : null, IpAddress = a.IpAddress,
                MacAddress = a.MacAddress, Labels = labels,
            }), $"{path}.networks[{i}]");
            (record.OwnedEndpoints ??= []).Add(endpoint.Id);
            // deleting an endpoint detaches it first, if the attach below got that far
            undo.Push(() => service.DeleteEndpointAsync(endpoint.Id).GetAwaiter().GetResult());
            attachments.Add((endpoint.Id, $"{path}.networks[{i}]"));
        }
        for (int i = 0; i < (net.Endpoints?.Count ?? 0); i++)
        {
            var given = Wait(service.InspectEndpointAsync(net.Endpoints![i]), $"{path}.endpoints[{i}]");
            if (given.Namespace is { } other)
                throw new InvalidComputeDocumentException($"{path}.endpoints[{i}]", $"endpoint {given.Id[..12]} is already attached to namespace {other}");
            (record.AttachedEndpoints ??= []).Add(given.Id);
            undo.Push(() => service.DetachEndpointAsync(given.Id).GetAwaiter().GetResult());
            attachments.Add((given.Id, $"{path}.endpoints[{i}]"));
        }

        ns.Path = nsInfo.Path;
        // the UTS namespace's name is the namespace's hostname, so that `hostname` and /etc/hostname agree
        if (spec.Linux!.Namespaces!.Any(n => n.Type == NamespaceKinds.Uts)) spec.Hostname = nsInfo.Hostname;
        spec.Mounts ??= [];
        foreach (var (dest, source) in new[] { ("/etc/hosts", nsInfo.HostsPath), ("/etc/resolv.conf", nsInfo.ResolvConfPath), ("/etc/hostname", nsInfo.HostnamePath) })
        {
            spec.Mounts.RemoveAll(m => m.Destination == dest);
            spec.Mounts.Add(new Mount { Destination = dest, Source = source, Type = "bind", Options = ["rbind", "rprivate"] });
        }
        return BlockingWork.Run(() =>
        {
            foreach (var (endpoint, where) in attachments) Wait(service.AttachEndpointAsync(endpoint, nsInfo.Id), where);
        });
    }

    /// <summary>Undoes what <see cref="Apply"/> recorded: owned endpoints deleted, attached ones detached, an owned
    /// namespace deleted. Best effort on each (an endpoint already gone is not an error); the first failure is thrown
    /// after the rest has been tried.</summary>
    public static void Remove(ComputeRecord record, INetworkService service)
    {
        Exception? first = null;
        void Try(Func<Task> op)
        {
            try { op().GetAwaiter().GetResult(); }
            catch (CartonException e) when (e.Kind == ErrorKind.NotFound) { }
            catch (Exception e) { first ??= e; }
        }
        foreach (var e in record.OwnedEndpoints ?? []) Try(() => service.DeleteEndpointAsync(e));
        foreach (var e in record.AttachedEndpoints ?? []) Try(() => service.DetachEndpointAsync(e));
        if (record.OwnsNamespace && record.NetworkNamespace is { } ns) Try(() => service.DeleteNamespaceAsync(ns));
        if (first is not null) throw first;
    }

    /// <summary>Deletes what the service made for systems that no longer exist (deleted while the daemon was down, or
    /// lost): namespaces and endpoints labelled with an id <paramref name="exists"/> denies.</summary>
    public static List<string> Sweep(INetworkService service, Func<string, bool> exists)
    {
        var removed = new List<string>();
        foreach (var e in service.ListEndpointsAsync().GetAwaiter().GetResult())
            if (e.Labels?.GetValueOrDefault(OwnerLabel) is { } owner && !exists(owner))
            {
                try { service.DeleteEndpointAsync(e.Id).GetAwaiter().GetResult(); removed.Add($"endpoint {e.Id[..12]} of {owner}"); }
                catch (CartonException) { }
            }
        foreach (var ns in service.ListNamespacesAsync().GetAwaiter().GetResult())
            if (ns.Labels?.GetValueOrDefault(OwnerLabel) is { } owner && !exists(owner))
            {
                try { service.DeleteNamespaceAsync(ns.Id).GetAwaiter().GetResult(); removed.Add($"namespace {ns.Id}"); }
                catch (CartonException) { }
            }
        return removed;
    }

    private static bool IsHostName(string s) =>
        s.Length is > 0 and <= 253 && char.IsAsciiLetterOrDigit(s[0]) && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_');

    /// <summary>Waits for a network call; a document error of the network service is re-pointed at
    /// <paramref name="path"/> in the system document, other errors pass as they are (they name the network).</summary>
    private static T Wait<T>(Task<T> task, string path)
    {
        try { return task.GetAwaiter().GetResult(); }
        catch (CartonException e) when (e.Kind == ErrorKind.InvalidDocument && e is not InvalidComputeDocumentException)
        {
            throw new InvalidComputeDocumentException(e.JsonPath is { } p ? $"{path}.{p}" : path, e.Message);
        }
    }
}
