namespace Carton.Docker.Models;

/// <summary>POST /containers/{id}/update's body (swagger ContainerUpdate: Resources, plus RestartPolicy): the fields
/// Carton acts on. As in dockerd, a zero (or absent) number leaves the current value alone.</summary>
public sealed class ContainerUpdateBody
{
    public long Memory { get; set; }
    /// <summary>Memory plus swap; -1 is unlimited swap.</summary>
    public long MemorySwap { get; set; }
    public long MemoryReservation { get; set; }
    public long NanoCpus { get; set; }
    public long CpuShares { get; set; }
    public long CpuQuota { get; set; }
    public long CpuPeriod { get; set; }
    public string? CpusetCpus { get; set; }
    public string? CpusetMems { get; set; }
    /// <summary>Null leaves it; 0 or -1 is unlimited.</summary>
    public long? PidsLimit { get; set; }
    /// <summary>Recorded only here (restart policies are applied elsewhere).</summary>
    public RestartPolicy? RestartPolicy { get; set; }
}

/// <summary>POST /containers/{id}/update's answer.</summary>
public sealed class ContainerUpdateResponse
{
    public List<string> Warnings { get; set; } = [];
}
