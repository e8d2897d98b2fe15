using System.Globalization;
using Carton.Linux.Cgroups;

namespace Carton.Linux.Tests.Cgroups;

/// <summary>
/// A temp directory standing in for /sys/fs/cgroup: each "mount" is a plain subdirectory, described by a
/// generated mountinfo line, so managers can be driven without touching the host's cgroups.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class FakeCgroupTree : IDisposable
{
    private readonly List<string> _mountinfo = [];
    private int _nextId = 100;

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "carton-cgtest-" + Guid.NewGuid().ToString("N")[..12]);

    public FakeCgroupTree() => Directory.CreateDirectory(Root);

    /// <summary>A v1 hierarchy at Root/dir with the given super options (controllers or name=...).</summary>
    public string AddV1(string dir, params string[] controllers)
    {
        var mount = Path.Combine(Root, dir);
        Directory.CreateDirectory(mount);
        var id = _nextId++;
        _mountinfo.Add(string.Create(CultureInfo.InvariantCulture,
            $"{id} 31 0:{id} / {mount} rw,nosuid,nodev,noexec,relatime shared:{id} - cgroup cgroup rw,{string.Join(',', controllers)}"));
        return mount;
    }

    /// <summary>A cgroup2 tree at Root/dir (Root itself when dir is "").</summary>
    public string AddUnified(string dir = "unified", string controllers = "")
    {
        var mount = dir.Length == 0 ? Root : Path.Combine(Root, dir);
        Directory.CreateDirectory(mount);
        File.WriteAllText(Path.Combine(mount, "cgroup.controllers"), controllers + "\n");
        File.WriteAllText(Path.Combine(mount, "cgroup.subtree_control"), "");
        var id = _nextId++;
        _mountinfo.Add(string.Create(CultureInfo.InvariantCulture,
            $"{id} 31 0:{id} / {mount} rw,nosuid,nodev,noexec,relatime shared:{id} - cgroup2 cgroup2 rw,nsdelegate"));
        return mount;
    }

    public string Mountinfo =>
        "22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n" +
        $"31 23 0:28 / {Root} rw,relatime - tmpfs tmpfs rw,mode=755\n" +
        string.Join('\n', _mountinfo) + "\n";

    public CgroupHost Host(string procSelfCgroup = "") => new(Mountinfo, procSelfCgroup);

    public string Path_(string relative) => Path.Combine(Root, relative.TrimStart('/'));

    public void Write(string relative, string content)
    {
        var path = Path_(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    public string Read(string relative) => File.ReadAllText(Path_(relative));

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}
