using Carton.Linux.Cgroups;
using Carton.Oci;

namespace Carton.Runtime.Plan;

/// <summary>
/// `carton debug plan`: the plan `create` would compile for a bundle, made without creating anything (no cgroup,
/// no state, no process). The fds `create` would open (the exec fifo) are shown by the slot they would fill.
/// </summary>
public static class PlanPreview
{
    public static SetupPlan ForBundle(string bundleDir, string id, bool noPivot = false)
    {
        var bundle = Path.GetFullPath(bundleDir);
        Spec spec;
        try { spec = SpecLoader.Load(Path.Combine(bundle, "config.json")); }
        catch (SpecException e) { throw new RuntimeError(e.Message, e); }
        var rootfs = spec.Root!.Path!;
        rootfs = Path.GetFullPath(rootfs.StartsWith('/') ? rootfs : Path.Combine(bundle, rootfs));
        var namespaces = spec.Linux?.Namespaces ?? [];
        bool New(string type) => namespaces.Any(n => n.Type == type && string.IsNullOrEmpty(n.Path));
        var host = CgroupHost.Probe();
        var cgroup = CgroupManagerFactory.Create(host, spec.Linux?.CgroupsPath, id);
        var config = new InitConfig
        {
            Id = id, Bundle = bundle, Rootfs = rootfs, Spec = spec, NoPivot = noPivot, FifoFd = -1,
            NewCgroupNamespace = New("cgroup"), NewTimeNamespace = New("time"),
            SeccompProgram = spec.Linux?.Seccomp is { } profile ? SeccompPlan.Compile(profile, Path.GetTempPath()).Program : null,
            CgroupMounts = ContainerCreator.CgroupMountsFor(host, cgroup),
        };
        if (PlanCompiler.Unsupported(config) is { } missing)
            throw new RuntimeError($"this config needs {missing}, which the setup plan does not cover yet: `create` starts the managed init (carton init) for it");
        return PlanCompiler.CompileCreate(config);
    }
}
