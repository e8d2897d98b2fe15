using System.Net;
using System.Net.Sockets;

namespace Carton.SystemCli;

/// <summary>What `carton system create` was asked: the document's source and the networking flags.</summary>
public sealed class SystemCreateRequest
{
    /// <summary>--oci: an OCI bundle directory.</summary>
    public string? Bundle { get; init; }
    /// <summary>--hcs: an HCS document file.</summary>
    public string? HcsFile { get; init; }
    /// <summary>--image: an image reference.</summary>
    public string? Image { get; init; }
    /// <summary>The command after --, with --image.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];
    /// <summary>--network: the network to join ("" is the default one).</summary>
    public string? Network { get; init; }
    /// <summary>--publish/-p values, docker's form.</summary>
    public IReadOnlyList<string> Publish { get; init; } = [];
    /// <summary>--hostname.</summary>
    public string? Hostname { get; init; }
    /// <summary>--dns values.</summary>
    public IReadOnlyList<string> Dns { get; init; } = [];
    /// <summary>--network-alias values (the OCI form only).</summary>
    public IReadOnlyList<string> NetworkAliases { get; init; } = [];
}

public static class SystemCreateCommand
{
    public static Command Build()
    {
        var id = SystemCommand.IdArgument();
        var oci = new Option<string?>("--oci") { Description = "an OCI bundle directory (config.json and its rootfs)" };
        var hcs = new Option<string?>("--hcs") { Description = "an HCS-shaped container document (JSON file)" };
        var image = new Option<string?>("--image") { Description = "an image reference: the system runs the image (pulled if the daemon's store lacks it)" };
        var network = new Option<string?>("--network") { Description = "join this network (an endpoint is made for the system and deleted with it)" };
        var publish = new Option<string[]>("--publish", "-p") { Description = "publish a port, [[HOSTIP:]HOSTPORT:]PORT[/tcp|/udp] (repeatable; without --network: on the default network)", AllowMultipleArgumentsPerToken = false };
        var hostname = new Option<string?>("--hostname") { Description = "the system's host name" };
        var dns = new Option<string[]>("--dns") { Description = "a name server for /etc/resolv.conf (repeatable; default: the host's)", AllowMultipleArgumentsPerToken = false };
        var alias = new Option<string[]>("--network-alias") { Description = "another name for the system on its network (repeatable; with --oci only)", AllowMultipleArgumentsPerToken = false };
        var command = new Argument<string[]>("command") { Description = "with --image: the command to run instead of the image's (after --)", Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("create", "create a compute system from an OCI bundle, an HCS document or an image (created, not started)")
        {
            id, oci, hcs, image, network, publish, hostname, dns, alias, command,
        };
        cmd.SetAction(parse => SystemCommand.Run(parse, async client =>
        {
            var document = BuildDocument(new SystemCreateRequest
            {
                Bundle = parse.GetValue(oci), HcsFile = parse.GetValue(hcs), Image = parse.GetValue(image), Command = parse.GetValue(command) ?? [],
                Network = parse.GetValue(network), Publish = parse.GetValue(publish) ?? [], Hostname = parse.GetValue(hostname),
                Dns = parse.GetValue(dns) ?? [], NetworkAliases = parse.GetValue(alias) ?? [],
            });
            await using var system = await client.CreateComputeSystemAsync(parse.GetValue(id)!, document);
            return 0;
        }));
        return cmd;
    }

    /// <summary>The document <paramref name="r"/> asks for: the HCS form for --image (and --hcs), the OCI form for
    /// --oci, with the networking flags in the form's own fields (HcsContainer.Networking and HostName;
    /// OciSystemDocument.Network). An --hcs document's own networking is kept where no flag overrides it.</summary>
    public static ComputeSystemDocument BuildDocument(SystemCreateRequest r)
    {
        if (new[] { r.Bundle, r.HcsFile, r.Image }.Count(x => x is not null) != 1)
            throw Usage("exactly one of --oci BUNDLE_DIR, --hcs DOCUMENT or --image REF is required");
        if (r.Command.Count > 0 && r.Image is null) throw Usage("a command (after --) goes with --image only");
        if (r.NetworkAliases.Count > 0 && r.Bundle is null)
            throw Usage("--network-alias needs --oci: the HCS form (--image, --hcs) has no network aliases");
        if (r.NetworkAliases.Any(a => a.Length == 0)) throw Usage("--network-alias: an empty alias");
        foreach (var server in r.Dns)
            if (!IsAddress(server)) throw Usage($"--dns \"{server}\": not an IP address");
        if (r.Hostname is { Length: 0 }) throw Usage("--hostname: an empty host name");
        var ports = r.Publish.Select(PortMappingParser.Parse).ToList();

        var document = new ComputeSystemDocument();
        if (r.Bundle is not null)
        {
            var bundle = Path.GetFullPath(r.Bundle);
            var config = Path.Combine(bundle, "config.json");
            var spec = JsonSerializer.Deserialize(File.ReadAllBytes(config), OciJsonContext.Default.Spec)
                       ?? throw new IOException($"{config}: empty document");
            document.Oci = new OciSystemDocument { Spec = spec, Bundle = bundle, Network = OciNetworking(r, ports) };
            return document;
        }
        if (r.Image is not null)
        {
            // The HCS form: the image's root and config; a command given replaces the image's whole command.
            document.Hcs = new HcsSystemDocument
            {
                Container = new HcsContainer
                {
                    Image = r.Image,
                    InitProcess = r.Command.Count > 0 ? new ProcessParameters { CommandArgs = [.. r.Command] } : null,
                },
            };
        }
        else
        {
            document.Hcs = JsonSerializer.Deserialize(File.ReadAllBytes(r.HcsFile!), ComputeJsonContext.Default.HcsSystemDocument)
                           ?? throw new IOException($"{r.HcsFile}: empty document");
        }
        HcsNetworking(document.Hcs.Container, r, ports);
        return document;
    }

    private static void HcsNetworking(HcsContainer container, SystemCreateRequest r, List<PortMapping> ports)
    {
        if (r.Hostname is not null) container.HostName = r.Hostname;
        if (r.Network is null && ports.Count == 0 && r.Dns.Count == 0) return;
        var networking = container.Networking ??= new HcsNetworking();
        // --publish alone publishes on the default network (or on the document's own network, for --hcs)
        if (r.Network is not null) networking.Network = r.Network;
        else if (ports.Count > 0) networking.Network ??= "";
        if (ports.Count > 0) networking.Ports = [.. networking.Ports ?? [], .. ports];
        if (r.Dns.Count > 0) networking.DnsServerList = [.. r.Dns];
    }

    private static SystemNetworking? OciNetworking(SystemCreateRequest r, List<PortMapping> ports)
    {
        if (r.Network is null && ports.Count == 0 && r.Hostname is null && r.Dns.Count == 0 && r.NetworkAliases.Count == 0) return null;
        var networking = new SystemNetworking
        {
            Hostname = r.Hostname,
            Dns = r.Dns.Count > 0 ? [.. r.Dns] : null,
            Ports = ports.Count > 0 ? ports : null,
        };
        // ports and aliases need a network: without --network, the default one
        if (r.Network is not null || ports.Count > 0 || r.NetworkAliases.Count > 0)
            networking.Networks =
            [
                new SystemNetworkAttachment { Network = r.Network ?? "", Aliases = r.NetworkAliases.Count > 0 ? [.. r.NetworkAliases] : null },
            ];
        return networking;
    }

    /// <summary>An IPv6 address, or an IPv4 one in dotted-quad form (not the legacy "1.2.3" that IPAddress accepts).</summary>
    private static bool IsAddress(string s) =>
        IPAddress.TryParse(s, out var ip) && (ip.AddressFamily == AddressFamily.InterNetworkV6 && s.Contains(':')
                                               || ip.AddressFamily == AddressFamily.InterNetwork && ip.ToString() == s);

    private static CartonException Usage(string message) => new(ErrorKind.InvalidDocument, message);
}
