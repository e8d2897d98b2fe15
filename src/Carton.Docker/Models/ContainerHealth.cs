namespace Carton.Docker.Models;

/// <summary>ContainerState.Health (swagger Health): starting, healthy or unhealthy, the consecutive failures, and the
/// last <see cref="HealthMonitor.MaxLogEntries"/> probes, oldest first.</summary>
public sealed class ContainerHealth
{
    public string Status { get; set; } = "starting";
    public int FailingStreak { get; set; }
    public List<HealthcheckResult> Log { get; set; } = [];
}

/// <summary>One probe's result (swagger HealthcheckResult): 0 healthy, anything else a failure (-1: it could not run
/// or timed out); Output capped at 4 KiB.</summary>
public sealed class HealthcheckResult
{
    public string Start { get; set; } = "";
    public string End { get; set; } = "";
    public int ExitCode { get; set; }
    public string Output { get; set; } = "";
}
