using Carton.Compute;
using Carton.Docker.Models;
using Carton.Oci;

namespace Carton.Docker;

/// <summary>
/// POST /containers/{id}/update: new limits (memory, CPU, pids, cpusets) through the compute service's
/// UpdateResourcesAsync (the cgroups of a created, running or paused container), recorded in the container's
/// HostConfig so that inspect shows them. A stopped container's new limits are recorded and applied when it next
/// starts (its system keeps the limits it was created with). RestartPolicy is only recorded here.
/// </summary>
internal static class ContainerUpdate
{
    public static async Task Handle(DockerServices services, HttpContext ctx)
    {
        var containers = services.Containers;
        var record = containers.Store.Find(ContainerEndpoints.Id(ctx));
        var body = await DockerJson.ReadAsync(ctx, DockerJsonContext.Default.ContainerUpdateBody);
        var warnings = new List<string>();
        var gate = containers.LockOf(record.Id);
        await gate.WaitAsync(ctx.RequestAborted);
        try
        {
            var current = record.HostConfig;
            ContainerResourceLimits.Validate(body, current, record.Id);
            var next = Merge(current, body);
            var change = new LinuxResources();
            if (body.Memory != 0 || body.MemorySwap != 0 || body.MemoryReservation != 0) change.Memory = ContainerResourceLimits.Memory(next);
            if (body.NanoCpus != 0 || body.CpuShares != 0 || body.CpuQuota != 0 || body.CpuPeriod != 0 || body.CpusetCpus is { Length: > 0 } || body.CpusetMems is { Length: > 0 })
                change.Cpu = ContainerResourceLimits.Cpu(next);
            if (body.PidsLimit is not null) change.Pids = new LinuxPids { Limit = next.PidsLimit is > 0 and var p ? p : -1 };
            bool changesLimits = change.Memory is not null || change.Cpu is not null || change.Pids is not null;

            await using var system = await containers.SystemAsync(record, ctx.RequestAborted);
            if (changesLimits)
            {
                var state = (await system.GetPropertiesAsync(ctx.RequestAborted)).Summary.State;
                if (state == "stopped") record.ResourcesPending = true;
                else
                {
                    try { await system.UpdateResourcesAsync(ComputeResources.FromLinux(change), CancellationToken.None); }
                    catch (InvalidComputeDocumentException e) { throw DockerErrors.BadRequest($"Cannot update container {record.Id}: {e.Reason ?? e.Message}", e.JsonPath); }
                    catch (InvalidComputeSystemStateException) { record.ResourcesPending = true; }
                }
            }
            Apply(current, next);
            if (body.RestartPolicy is { } policy) current.RestartPolicy = policy;
            containers.Store.Save(record);
        }
        finally { gate.Release(); }
        services.Events.Container(record, "update");
        await DockerJson.WriteAsync(ctx, new ContainerUpdateResponse { Warnings = warnings }, DockerJsonContext.Wire.ContainerUpdateResponse);
    }

    /// <summary>After a start: the limits an update recorded while the container was stopped.</summary>
    public static async Task ApplyPendingAsync(DockerServices services, ContainerRecord record, IComputeSystem system)
    {
        if (!record.ResourcesPending) return;
        var h = record.HostConfig;
        var all = new LinuxResources { Memory = ContainerResourceLimits.Memory(h), Cpu = ContainerResourceLimits.Cpu(h), Pids = ContainerResourceLimits.Pids(h) };
        await system.UpdateResourcesAsync(ComputeResources.FromLinux(all), CancellationToken.None);
        record.ResourcesPending = false;
        services.Containers.Store.Save(record);
    }

    /// <summary>The HostConfig limits after the update: a zero leaves a value; NanoCpus and the CFS quota replace each other.</summary>
    private static HostConfig Merge(HostConfig c, ContainerUpdateBody u) => new()
    {
        Memory = u.Memory != 0 ? u.Memory : c.Memory,
        MemorySwap = u.MemorySwap != 0 ? u.MemorySwap : c.MemorySwap,
        MemoryReservation = u.MemoryReservation != 0 ? u.MemoryReservation : c.MemoryReservation,
        NanoCpus = u.NanoCpus != 0 ? u.NanoCpus : c.NanoCpus,
        CpuShares = u.CpuShares != 0 ? u.CpuShares : c.CpuShares,
        CpuQuota = u.CpuQuota != 0 ? u.CpuQuota : c.CpuQuota,
        CpuPeriod = u.CpuPeriod != 0 ? u.CpuPeriod : c.CpuPeriod,
        CpusetCpus = u.CpusetCpus is { Length: > 0 } cpus ? cpus : c.CpusetCpus,
        CpusetMems = u.CpusetMems is { Length: > 0 } mems ? mems : c.CpusetMems,
        PidsLimit = u.PidsLimit ?? c.PidsLimit,
    };

    private static void Apply(HostConfig to, HostConfig from)
    {
        to.Memory = from.Memory;
        to.MemorySwap = from.MemorySwap;
        to.MemoryReservation = from.MemoryReservation;
        to.NanoCpus = from.NanoCpus;
        to.CpuShares = from.CpuShares;
        to.CpuQuota = from.CpuQuota;
        to.CpuPeriod = from.CpuPeriod;
        to.CpusetCpus = from.CpusetCpus;
        to.CpusetMems = from.CpusetMems;
        to.PidsLimit = from.PidsLimit;
    }
}
