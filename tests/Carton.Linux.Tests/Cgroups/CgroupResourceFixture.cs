using Carton.Linux.Cgroups;
using Carton.Oci;

namespace Carton.Linux.Tests.Cgroups;

/// <summary>
/// A fake cgroup tree holding one container cgroup ("/ctr") whose control files are pre-created, as cgroupfs
/// creates them with the cgroup; a file left out stands for a knob this kernel lacks. Writes go through a journal
/// so that files written several times (devices.allow, io.max) can be checked write by write.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class CgroupResourceFixture : IDisposable
{
    public FakeCgroupTree Tree { get; } = new();
    public CgroupHost Host { get; private set; } = null!;
    public IReadOnlyDictionary<string, string> Paths { get; private set; } = null!;
    public List<(string Path, string Value)> Journal { get; } = [];

    /// <summary>A v1/hybrid host with one hierarchy per key ("cpu,cpuacct" is co-mounted); unifiedControllers null = no cgroup2 tree.</summary>
    public static CgroupResourceFixture V1(string? unifiedControllers, params string[] keys)
    {
        var f = new CgroupResourceFixture();
        foreach (var key in keys) f.Tree.AddV1(key, key.Split(','));
        if (unifiedControllers is not null) f.Tree.AddUnified("unified", unifiedControllers);
        f.Host = f.Tree.Host();
        var manager = CgroupManagerFactory.Create(f.Host, "/ctr", "ctr");
        manager.Create();
        f.Paths = manager.Paths;
        return f;
    }

    /// <summary>A v2 host; the container cgroup's cgroup.controllers lists <paramref name="controllers"/>.</summary>
    public static CgroupResourceFixture V2(string controllers)
    {
        var f = new CgroupResourceFixture();
        f.Tree.AddUnified("", controllers);
        f.Host = f.Tree.Host("0::/\n");
        var manager = CgroupManagerFactory.Create(f.Host, "/ctr", "ctr");
        manager.Create();
        f.Paths = manager.Paths;
        File.WriteAllText(Path.Combine(f.Dir(""), "cgroup.controllers"), controllers + "\n");
        return f;
    }

    /// <summary>The container directory in the hierarchy with this key ("" = unified).</summary>
    public string Dir(string key) => Paths[key];

    /// <summary>Creates empty control files (or with content when given as "name=content").</summary>
    public void Touch(string key, params string[] files)
    {
        foreach (var file in files)
        {
            var eq = file.IndexOf('=');
            var (name, content) = eq < 0 ? (file, "") : (file[..eq], file[(eq + 1)..]);
            File.WriteAllText(Path.Combine(Dir(key), name), content);
        }
    }

    public string Read(string key, string file) => File.ReadAllText(Path.Combine(Dir(key), file));

    /// <summary>The values written to one file, in order.</summary>
    public List<string> Writes(string key, string file) =>
        Journal.Where(j => j.Path == Path.Combine(Dir(key), file)).Select(j => j.Value).ToList();

    /// <summary>The file names written, in order (for ordering rules).</summary>
    public List<string> Order() => Journal.Select(j => System.IO.Path.GetFileName(j.Path)).ToList();

    public IReadOnlyList<string> ApplyV1(LinuxResources r) =>
        CgroupV1Resources.Apply(Host, Paths, r, new CgroupResourceWriter(Journal));

    public IReadOnlyList<string> ApplyV2(LinuxResources r) =>
        CgroupV2Resources.Apply(Dir(""), r, new CgroupResourceWriter(Journal));

    public void Dispose() => Tree.Dispose();
}
