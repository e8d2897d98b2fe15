using System.Text;

namespace Carton.Network.Linux;

/// <summary>
/// A namespace's /etc/hosts, /etc/resolv.conf and /etc/hostname, which containers bind-mount. They are rewritten
/// <b>in place</b> (open, write, truncate): a bind mount pins the inode, so a new file renamed over the old one would
/// leave every container on the old, stale one.
/// </summary>
internal static class NamespaceFiles
{
    public readonly record struct HostEntry(string Address, IReadOnlyList<string> Names);

    public static string Hosts(string hostname, IEnumerable<HostEntry> own, IEnumerable<HostEntry> others, IEnumerable<string> extraHosts)
    {
        var sb = new StringBuilder();
        sb.Append("127.0.0.1\tlocalhost\n");
        sb.Append("::1\tlocalhost ip6-localhost ip6-loopback\n");
        bool named = false;
        foreach (var e in own)
        {
            var names = new List<string> { hostname };
            names.AddRange(e.Names.Where(n => n != hostname));
            sb.Append(e.Address).Append('\t').AppendJoin(' ', names.Distinct(StringComparer.Ordinal)).Append('\n');
            named = true;
        }
        // with no endpoint the hostname still resolves, to loopback, as podman and docker write it
        if (!named) sb.Append("127.0.1.1\t").Append(hostname).Append('\n');
        foreach (var e in others.Where(e => e.Names.Count > 0))
            sb.Append(e.Address).Append('\t').AppendJoin(' ', e.Names.Distinct(StringComparer.Ordinal)).Append('\n');
        foreach (var x in extraHosts)
        {
            var colon = x.IndexOf(':');
            sb.Append(x[(colon + 1)..]).Append('\t').Append(x[..colon]).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>resolv.conf: the given servers, or the host's file without loopback servers (a namespace cannot reach
    /// the host's 127.0.0.53: systemd-resolved's stub), as docker does.</summary>
    public static string ResolvConf(IReadOnlyList<string>? dns, IReadOnlyList<string>? search, IReadOnlyList<string>? options, string hostResolvConf)
    {
        var sb = new StringBuilder();
        var hostLines = File.Exists(hostResolvConf) ? File.ReadAllLines(hostResolvConf) : [];
        if (dns is { Count: > 0 }) foreach (var d in dns) sb.Append("nameserver ").Append(d).Append('\n');
        else
            foreach (var line in hostLines)
            {
                var f = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (f is ["nameserver", var ip, ..] && !(ip.StartsWith("127.", StringComparison.Ordinal) || ip == "::1")) sb.Append(line.Trim()).Append('\n');
            }
        if (search is { Count: > 0 }) sb.Append("search ").AppendJoin(' ', search).Append('\n');
        else foreach (var line in hostLines) if (line.StartsWith("search ", StringComparison.Ordinal) || line.StartsWith("domain ", StringComparison.Ordinal)) sb.Append(line.Trim()).Append('\n');
        if (options is { Count: > 0 }) sb.Append("options ").AppendJoin(' ', options).Append('\n');
        else foreach (var line in hostLines) if (line.StartsWith("options ", StringComparison.Ordinal)) sb.Append(line.Trim()).Append('\n');
        return sb.ToString();
    }

    /// <summary>Replaces the content of <paramref name="path"/> in place (same inode), creating it when absent.</summary>
    public static void WriteInPlace(string path, string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        using var f = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
        f.Write(bytes);
        f.SetLength(bytes.Length);
        f.Flush(flushToDisk: false);
    }
}
