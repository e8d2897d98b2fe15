using System.Globalization;
using Carton.Oci;

namespace Carton.Linux.Cgroups.Controllers;

/// <summary>rdma: linux.resources.rdma (config-linux.md "RDMA") to rdma.max, one line per device, on both versions.</summary>
public sealed class RdmaController : CgroupController
{
    private const string Field = "linux.resources.rdma";

    public override string Name => "rdma";

    public override IReadOnlyList<string> Groups { get; } = ["rdma"];

    /// <summary>Each entry needs at least one limit and a plain device name (it starts an rdma.max line).</summary>
    internal override void Validate(LinuxResources r, bool v2)
    {
        if (r.Rdma is not { } rdma) return;
        foreach (var (device, limit) in rdma)
        {
            if (!IsPlainName(device)) throw new CgroupException($"{Field}: invalid device name \"{device}\"");
            if (limit is null || (limit.HcaHandles is null && limit.HcaObjects is null))
                throw new CgroupException($"{Field}[\"{device}\"]: needs hcaHandles or hcaObjects");
        }
    }

    internal override void ApplyV1(CgroupV1Context ctx, LinuxResources r) => Write(r.Rdma, ctx.Writer, ctx.Require);

    internal override void ApplyV2(CgroupV2Context ctx, LinuxResources r) => Write(r.Rdma, ctx.Writer, ctx.Require);

    /// <summary>The same file on both versions; devices in ordinal order, so that the writes do not depend on the JSON's key order.</summary>
    private static void Write(Dictionary<string, LinuxRdma>? rdma, CgroupResourceWriter w, Func<string, string, string> require)
    {
        if (rdma is not { Count: > 0 }) return;
        var dir = require("rdma", Field);
        foreach (var (device, limit) in rdma.OrderBy(p => p.Key, StringComparer.Ordinal))
            w.Write($"{Field}[\"{device}\"]", dir, "rdma.max", RdmaMax(device, limit));
    }

    /// <summary>rdma.max line: "mlx5_1 hca_handle=3 hca_object=10000", only the limits that are set (runc's format).</summary>
    private static string RdmaMax(string device, LinuxRdma limit)
    {
        var line = device;
        if (limit.HcaHandles is { } h) line += " hca_handle=" + h.ToString(CultureInfo.InvariantCulture);
        if (limit.HcaObjects is { } o) line += " hca_object=" + o.ToString(CultureInfo.InvariantCulture);
        return line;
    }
}
