using Carton.Linux.Cgroups;
using Carton.Oci;

namespace Carton.Runtime;

/// <summary>The cgroup of a rootless container that has none: nothing to create, place, limit or remove.</summary>
internal sealed class NoCgroupManager(CgroupHost host) : ICgroupManager
{
    public CgroupMode Mode => host.Mode;
    public IReadOnlyDictionary<string, string> Paths { get; } = new Dictionary<string, string>();
    public IReadOnlyList<string> Warnings { get; } = [];
    public IReadOnlyList<string> ApplyResources(LinuxResources resources) => [];
    public string? GetPath(string controller) => null;
    public void Create() { }
    public void AddProcess(int pid) { }
    public IReadOnlyList<int> GetPids() => [];
    public void SignalAll(int signal) { }
    public bool Exists() => false;
    public string GetFreezerState() => "";
    public void Freeze() => throw new RuntimeError("this container has no cgroup (rootless without delegation): it cannot be paused");
    public void Thaw() { }
    public void Destroy() { }
}
