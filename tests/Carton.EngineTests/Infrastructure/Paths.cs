namespace Carton.EngineTests.Infrastructure;

/// <summary>Where the tests find carton and where they keep their state.</summary>
public static class Paths
{
    /// <summary>The carton binary the engines are given: CARTON_BINARY, else &lt;repo&gt;/artifacts/bin/carton.</summary>
    public static string Carton { get; } = Environment.GetEnvironmentVariable("CARTON_BINARY") is { Length: > 0 } b
        ? Path.GetFullPath(b)
        : Path.Combine(RepoRoot(), "artifacts", "bin", "carton");

    /// <summary>A fresh directory for one engine's state, under /var/tmp (overlayfs upper dirs cannot live on a
    /// tmpfs /tmp under every kernel, and the engines' state must not share a root with the host's own engines).</summary>
    public static string NewStateDir(string engine)
    {
        var dir = Path.Combine("/var/tmp", $"carton-e2e-{engine}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Carton.slnx"))) return d.FullName;
        throw new InvalidOperationException("Carton.slnx not found above " + AppContext.BaseDirectory);
    }
}
