using System.Diagnostics;

namespace Carton.Network.Tests.Cni;

/// <summary>
/// Throwaway network namespaces for the real-plugin tests: an outer one the plugins run in (through nsenter, so the
/// bridge, its iptables rules and the host ends of the veths are never the host's), and one per container.
/// Dispose deletes them all, which takes every interface in them along.
/// </summary>
internal sealed class RealCniNamespaces : IDisposable
{
    private readonly List<string> _names = [];
    private readonly string _tag = Guid.NewGuid().ToString("N")[..8];

    public RealCniNamespaces()
    {
        Outer = Create("carton-cni-test-" + _tag);
        Root = Path.Combine(Path.GetTempPath(), "carton-cni-real-" + _tag);
        Directory.CreateDirectory(Root);
    }

    /// <summary>The outer namespace's name.</summary>
    public string Outer { get; }

    /// <summary>A temporary directory (host-local's dataDir, the cache).</summary>
    public string Root { get; }

    /// <summary>A container namespace; returns its path under /run/netns.</summary>
    public string Container(string suffix) => "/run/netns/" + Create($"carton-cni-c{_tag}-{suffix}");

    /// <summary>Runs the plugins in the outer namespace.</summary>
    public IReadOnlyList<string> Prefix => ["nsenter", $"--net=/run/netns/{Outer}", "--"];

    private string Create(string name)
    {
        Run("ip", "netns", "add", name);
        _names.Add(name);
        return name;
    }

    /// <summary>The interface names of a namespace (by name), or of the host's (null).</summary>
    public static List<string> Links(string? netns)
    {
        var args = netns is null ? new[] { "-o", "link", "show" } : ["-n", netns, "-o", "link", "show"];
        return Run("ip", args).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':', 3)[1].Trim().Split('@')[0]).ToList();
    }

    /// <summary>The output of a command that must succeed.</summary>
    public static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(FindTool(file) ?? file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)}: exit {p.ExitCode}: {stderr}");
        return stdout.Result;
    }

    public static string? FindTool(string name) =>
        new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin" }.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    public void Dispose()
    {
        foreach (var name in _names.AsEnumerable().Reverse())
        {
            try { Run("ip", "netns", "del", name); } catch (Exception) { /* best effort; the rest still go */ }
        }
        try { Directory.Delete(Root, true); } catch (IOException) { }
    }
}
