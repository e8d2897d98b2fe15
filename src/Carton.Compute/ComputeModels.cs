using System.Text.Json.Serialization;

namespace Carton.Compute;

public sealed class ComputeSystemQuery
{
    [JsonPropertyName("ids")] public List<string>? Ids { get; set; }
    [JsonPropertyName("owners")] public List<string>? Owners { get; set; }
    [JsonPropertyName("states")] public List<string>? States { get; set; }
}

public sealed class ComputeSystemSummary
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("owner")] public string Owner { get; set; } = "";
    /// <summary>created, running, paused or stopped (runtime-spec states).</summary>
    [JsonPropertyName("state")] public string State { get; set; } = "";
    [JsonPropertyName("pid")] public int Pid { get; set; }
    [JsonPropertyName("created")] public DateTime Created { get; set; }
    [JsonPropertyName("exitCode")] public int? ExitCode { get; set; }
}

public sealed class ComputeSystemProperties
{
    [JsonPropertyName("summary")] public ComputeSystemSummary Summary { get; set; } = new();
    /// <summary>Host pids of every process in the system.</summary>
    [JsonPropertyName("processes")] public List<int> Processes { get; set; } = [];
    /// <summary>runc `events --stats` shape; null when the system is not running.</summary>
    [JsonPropertyName("statistics")] public Carton.Linux.Cgroups.CgroupStats? Statistics { get; set; }
    /// <summary>What the host could not apply exactly at create (a skipped Storage.QoS, a missing cgroup controller file).</summary>
    [JsonPropertyName("warnings")] public List<string>? Warnings { get; set; }
    /// <summary>Host files receiving the init process's stdout and stderr (the service keeps them in the scratch directory).</summary>
    [JsonPropertyName("initStdoutPath")] public string? InitStdoutPath { get; set; }
    [JsonPropertyName("initStderrPath")] public string? InitStderrPath { get; set; }
}

public sealed class ComputeSystemEvent
{
    /// <summary>"state" (a state change), "exit" (the init exited; <see cref="ExitCode"/>), "oom".</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("state")] public string? State { get; set; }
    [JsonPropertyName("exitCode")] public int? ExitCode { get; set; }
    [JsonPropertyName("time")] public DateTime Time { get; set; } = DateTime.UtcNow;
}
