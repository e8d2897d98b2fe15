namespace Carton.IntegrationTests.Infrastructure;

/// <summary>
/// Per-test sandbox: a fresh directory /tmp/carton-it-XXXX holding the runtime's --root ("root") and a
/// busybox bundle ("bundle"), a LeakCheck snapshot, and id bookkeeping. Dispose force-deletes every
/// container the test created (in every runtime it used) and removes the directory.
/// </summary>
public sealed class ContainerTestEnv : IDisposable
{
    private readonly List<Runtime> _runtimes = [];
    private readonly List<string> _ids = [];
    private Bundle? _bundle;

    public ContainerTestEnv(RuntimeFixture fixture)
    {
        fixture.RequirePrerequisites();
        Fixture = fixture;
        Dir = Path.Combine("/tmp", "carton-it-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Dir);
        Runtime = AddRuntime(fixture.RuntimePath, "root");
        RootfsMarker = ".marker-" + Path.GetFileName(Dir);
        Leaks = new LeakCheck(BundleDir, Runtime.Root, RootfsMarker, () => _ids.ToArray());
    }

    public RuntimeFixture Fixture { get; }

    /// <summary>Test sandbox directory (deleted on dispose).</summary>
    public string Dir { get; }

    /// <summary>The runtime under test bound to this test's --root.</summary>
    public Runtime Runtime { get; }

    public string BundleDir => Path.Combine(Dir, "bundle");

    /// <summary>The bundle, created lazily with the runtime under test's `spec`.</summary>
    public Bundle Bundle => _bundle ??= Bundle.Create(Runtime, BundleDir, RootfsMarker);

    /// <summary>File name placed in the rootfs top directory so LeakCheck can recognise container processes.</summary>
    public string RootfsMarker { get; }

    public LeakCheck Leaks { get; }

    /// <summary>Another runtime binary with its own --root inside the sandbox (cleaned up on dispose).</summary>
    public Runtime AddRuntime(string binary, string rootName)
    {
        var rt = new Runtime(binary, Path.Combine(Dir, rootName));
        _runtimes.Add(rt);
        return rt;
    }

    /// <summary>A unique container id ("it-" + 8 hex chars) that is force-deleted on dispose.</summary>
    public string NewId()
    {
        var id = "it-" + Guid.NewGuid().ToString("N")[..8];
        _ids.Add(id);
        return id;
    }

    /// <summary>Registers an id chosen by the test for cleanup.</summary>
    public string TrackId(string id)
    {
        _ids.Add(id);
        return id;
    }

    /// <summary>Creates (and tracks) a host directory inside the sandbox.</summary>
    public string HostDir(string name)
    {
        var path = Path.Combine(Dir, name);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Leak check plus: `list -q` of the runtime under test shows none of this test's ids.</summary>
    public void AssertNoLeaks()
    {
        var listed = Runtime.ListIds();
        var left = listed.Intersect(_ids).ToList();
        Assert.True(left.Count == 0, $"`list -q` still shows containers: {string.Join(", ", left)}");
        Assert.True(listed.Count == 0, $"`list -q` not empty: {string.Join(", ", listed)}");
        Leaks.AssertNoLeaks();
        foreach (var rt in _runtimes.Where(r => r != Runtime && Directory.Exists(r.Root)))
        {
            var entries = Directory.EnumerateFileSystemEntries(rt.Root, "*", SearchOption.AllDirectories).ToList();
            Assert.True(entries.Count == 0, $"{rt.Name} state root not empty: {string.Join(", ", entries)}");
        }
    }

    public void Dispose()
    {
        foreach (var rt in _runtimes)
        {
            foreach (var id in _ids.Where(i => i.Length > 0 && !i.Contains('/')))
            {
                if (Directory.Exists(rt.Root))
                {
                    rt.Exec(["delete", "--force", id], timeout: TimeSpan.FromSeconds(10));
                }
            }
        }
        RemoveSandbox();
    }

    private void RemoveSandbox()
    {
        // Never rm -rf through a leaked mount (a bind mount could point back at host data).
        var prefix = Dir + "/";
        bool HasMounts() => File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ')[4].StartsWith(prefix, StringComparison.Ordinal));
        if (HasMounts())
        {
            foreach (var mp in File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4])
                         .Where(m => m.StartsWith(prefix, StringComparison.Ordinal)).OrderByDescending(m => m.Length))
            {
                ProcessRunner.Run("/bin/umount", ["-l", mp], timeout: TimeSpan.FromSeconds(10));
            }
            if (HasMounts())
            {
                return;
            }
        }
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
