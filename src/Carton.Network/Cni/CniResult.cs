using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Carton.Network.Cni;

/// <summary>
/// The result of a plugin's ADD in the spec 1.0.0 shape (interfaces, ips, routes, dns). Results of 0.3.x and 0.4.0
/// (whose ips carry a "version") and of 0.1.0/0.2.0 (<c>ip4</c>/<c>ip6</c>) are converted up; <see cref="Raw"/>
/// keeps the document as the plugin wrote it, which is what the next plugin gets as <c>prevResult</c>.
/// </summary>
public sealed class CniResult
{
    private const string What = "CNI result";

    private CniResult(string cniVersion, IReadOnlyList<CniInterface> interfaces, IReadOnlyList<CniIpConfig> ips,
        IReadOnlyList<CniRoute> routes, CniDns? dns, JsonObject raw)
    {
        CniVersion = cniVersion; Interfaces = interfaces; Ips = ips; Routes = routes; Dns = dns; Raw = raw;
    }

    /// <summary>The version the plugin wrote the result in.</summary>
    public string CniVersion { get; }
    /// <summary>The interfaces the chain created or configured.</summary>
    public IReadOnlyList<CniInterface> Interfaces { get; }
    /// <summary>The addresses assigned.</summary>
    public IReadOnlyList<CniIpConfig> Ips { get; }
    /// <summary>The routes (for 0.1.0/0.2.0 results, those of <c>ip4</c> and <c>ip6</c>).</summary>
    public IReadOnlyList<CniRoute> Routes { get; }
    /// <summary>DNS settings, when the chain gave any.</summary>
    public CniDns? Dns { get; }
    /// <summary>The result as the plugin wrote it. Do not modify it.</summary>
    public JsonObject Raw { get; }

    /// <summary>Parses a result document of any spec version.</summary>
    /// <param name="json">The document.</param>
    /// <param name="source">Where it came from, for messages ("network \"web\": plugin \"bridge\" (ADD)").</param>
    /// <exception cref="CartonException"><see cref="ErrorKind.InvalidDocument"/> with the field's JSON path.</exception>
    public static CniResult Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        return FromObject(CniJson.ParseObject(json, source, What), source);
    }

    internal static CniResult FromObject(JsonObject o, string source)
    {
        var version = CniJson.RequiredString(o, "cniVersion", "cniVersion", source, What);
        if (!CniVersions.IsKnown(version))
            throw CniJson.Invalid(source, What, "cniVersion", $"\"{version}\" is not a CNI version this runtime speaks");
        var dns = ReadDns(o, source);
        if (!CniVersions.AtLeast(version, "0.3.0")) return FromLegacy(o, version, dns, source);

        var interfaces = new List<CniInterface>();
        var ifArray = CniJson.OptionalArray(o, "interfaces", "interfaces", source, What);
        for (var i = 0; ifArray is not null && i < ifArray.Count; i++)
        {
            var p = $"interfaces[{i}]";
            var io = ifArray[i] as JsonObject ?? throw CniJson.Invalid(source, What, p, "must be an object");
            interfaces.Add(new CniInterface(
                CniJson.RequiredString(io, "name", p + ".name", source, What),
                NullIfEmpty(CniJson.OptionalString(io, "mac", p + ".mac", source, What)),
                NullIfEmpty(CniJson.OptionalString(io, "sandbox", p + ".sandbox", source, What))));
        }

        var ips = new List<CniIpConfig>();
        var ipArray = CniJson.OptionalArray(o, "ips", "ips", source, What);
        for (var i = 0; ipArray is not null && i < ipArray.Count; i++)
        {
            var p = $"ips[{i}]";
            var io = ipArray[i] as JsonObject ?? throw CniJson.Invalid(source, What, p, "must be an object");
            var address = Cidr(CniJson.RequiredString(io, "address", p + ".address", source, What), p + ".address", source);
            var gateway = Address(NullIfEmpty(CniJson.OptionalString(io, "gateway", p + ".gateway", source, What)), p + ".gateway", source);
            var index = CniJson.OptionalInteger(io, "interface", p + ".interface", source, What);
            if (index is { } x && (x < 0 || x >= interfaces.Count))
                throw CniJson.Invalid(source, What, p + ".interface", $"{x} is not an index of interfaces (it has {interfaces.Count})");
            ips.Add(new CniIpConfig(address, gateway, index is null ? null : (int)index));
        }

        var routes = ReadRoutes(o, "routes", "routes", source);
        return new CniResult(version, interfaces, ips, routes, dns, o);
    }

    // 0.1.0/0.2.0: {"ip4": {"ip", "gateway", "routes"}, "ip6": {...}, "dns"}; no interfaces.
    private static CniResult FromLegacy(JsonObject o, string version, CniDns? dns, string source)
    {
        var ips = new List<CniIpConfig>();
        var routes = new List<CniRoute>();
        foreach (var key in new[] { "ip4", "ip6" })
        {
            var io = CniJson.OptionalObject(o, key, key, source, What);
            if (io is null) continue;
            var address = Cidr(CniJson.RequiredString(io, "ip", key + ".ip", source, What), key + ".ip", source);
            var gateway = Address(NullIfEmpty(CniJson.OptionalString(io, "gateway", key + ".gateway", source, What)), key + ".gateway", source);
            ips.Add(new CniIpConfig(address, gateway, null));
            routes.AddRange(ReadRoutes(io, "routes", key + ".routes", source));
        }
        return new CniResult(version, [], ips, routes, dns, o);
    }

    private static List<CniRoute> ReadRoutes(JsonObject o, string key, string path, string source)
    {
        var routes = new List<CniRoute>();
        var array = CniJson.OptionalArray(o, key, path, source, What);
        for (var i = 0; array is not null && i < array.Count; i++)
        {
            var p = $"{path}[{i}]";
            var ro = array[i] as JsonObject ?? throw CniJson.Invalid(source, What, p, "must be an object");
            routes.Add(new CniRoute(
                Cidr(CniJson.RequiredString(ro, "dst", p + ".dst", source, What), p + ".dst", source),
                Address(NullIfEmpty(CniJson.OptionalString(ro, "gw", p + ".gw", source, What)), p + ".gw", source)));
        }
        return routes;
    }

    private static CniDns? ReadDns(JsonObject o, string source)
    {
        var d = CniJson.OptionalObject(o, "dns", "dns", source, What);
        if (d is null) return null;
        var dns = new CniDns(
            CniJson.StringArray(d, "nameservers", "dns.nameservers", source, What),
            NullIfEmpty(CniJson.OptionalString(d, "domain", "dns.domain", source, What)),
            CniJson.StringArray(d, "search", "dns.search", source, What),
            CniJson.StringArray(d, "options", "dns.options", source, What));
        // Plugins write "dns": {} when they have nothing to say; that is no DNS.
        return dns.Nameservers.Count == 0 && dns.Domain is null && dns.Search.Count == 0 && dns.Options.Count == 0 ? null : dns;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static string? Address(string? s, string path, string source)
    {
        if (s is null) return null;
        return IPAddress.TryParse(s, out _) && !s.Contains('/') ? s : throw CniJson.Invalid(source, What, path, $"\"{s}\" is not an IP address");
    }

    // Host bits may be set ("10.88.0.5/16" is an address with its prefix), so not IPNetwork.Parse.
    private static string Cidr(string s, string path, string source)
    {
        var slash = s.IndexOf('/');
        if (slash > 0 && IPAddress.TryParse(s.AsSpan(0, slash), out var ip)
            && int.TryParse(s.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var len)
            && len <= (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
            return s;
        throw CniJson.Invalid(source, What, path, $"\"{s}\" is not an address with a prefix length (CIDR)");
    }
}
