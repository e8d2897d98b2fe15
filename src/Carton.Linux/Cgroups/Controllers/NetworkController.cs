using Carton.Oci;

namespace Carton.Linux.Cgroups.Controllers;

/// <summary>
/// net_cls and net_prio: linux.resources.network (config-linux.md "Network"), classID to net_cls.classid and one
/// net_prio.ifpriomap line per interface. Both are v1-only controllers; on cgroup v2 the group is ignored with a
/// warning, as runc does.
/// </summary>
public sealed class NetworkController : CgroupController
{
    public override string Name => "net_cls,net_prio";

    public override IReadOnlyList<string> Groups { get; } = ["network"];

    /// <summary>Interface names start an ifpriomap line, so they must be plain names (checked on v2 too, where the group is then ignored).</summary>
    internal override void Validate(LinuxResources r, bool v2)
    {
        if (r.Network?.Priorities is not { } prios) return;
        for (var i = 0; i < prios.Count; i++)
            if (prios[i] is { } p && !IsPlainName(p.Name))
                throw new CgroupException($"linux.resources.network.priorities[{i}].name: invalid interface name \"{p.Name}\"");
    }

    internal override void ApplyV1(CgroupV1Context ctx, LinuxResources r)
    {
        if (r.Network is not { } n) return;
        var w = ctx.Writer;
        if (n.ClassID is { } classId and not 0)
            w.Write("linux.resources.network.classID", ctx.Require("net_cls", "linux.resources.network.classID"), "net_cls.classid", CgroupResourceWriter.Format((ulong)classId));
        if (n.Priorities is { Count: > 0 } prios)
        {
            var dir = ctx.Require("net_prio", "linux.resources.network.priorities");
            for (var i = 0; i < prios.Count; i++)
                if (prios[i] is { } p)
                    w.Write($"linux.resources.network.priorities[{i}]", dir, "net_prio.ifpriomap", $"{p.Name} {CgroupResourceWriter.Format((ulong)p.Priority)}");
        }
    }

    internal override void ApplyV2(CgroupV2Context ctx, LinuxResources r)
    {
        if (r.Network is { } net && (net.ClassID is not (null or 0) || net.Priorities is { Count: > 0 }))
            ctx.Warnings.Add("linux.resources.network: ignored: net_cls and net_prio do not exist in cgroup v2 (use eBPF/nftables cgroup matching)");
    }
}
