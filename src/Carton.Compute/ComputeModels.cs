using System.Text.Json.Serialization;

namespace Carton.Compute;

/// <summary>A filter for <see cref="IComputeService.EnumerateComputeSystemsAsync"/>: a system matches when each non-empty list contains its value.</summary>
public sealed class ComputeSystemQuery
{
    /// <summary>Only these ids; null or empty: any.</summary>
    [JsonPropertyName("ids")] public List<string>? Ids { get; set; }
    /// <summary>Only these owners (<see cref="HcsSystemDocument.Owner"/>; "" for OCI documents); null or empty: any.</summary>
    [JsonPropertyName("owners")] public List<string>? Owners { get; set; }
    /// <summary>Only these states (created, running, paused, stopped); null or empty: any.</summary>
    [JsonPropertyName("states")] public List<string>? States { get; set; }
}

/// <summary>One compute system at a glance (the enumeration's items, and <see cref="ComputeSystemProperties.Summary"/>).</summary>
public sealed class ComputeSystemSummary
{
    /// <summary>The compute system id.</summary>
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    /// <summary>The document's owner ("" when none was given).</summary>
    [JsonPropertyName("owner")] public string Owner { get; set; } = "";
    /// <summary>created, running, paused or stopped (runtime-spec states).</summary>
    [JsonPropertyName("state")] public string State { get; set; } = "";
    /// <summary>The init's pid in the host's pid namespace; 0 once stopped.</summary>
    [JsonPropertyName("pid")] public int Pid { get; set; }
    /// <summary>When the system was created (UTC).</summary>
    [JsonPropertyName("created")] public DateTime Created { get; set; }
    /// <summary>The init's exit code (128+N when killed by signal N) once stopped, when known; null while it runs,
    /// and for a system this service did not create (opened from the state store).</summary>
    [JsonPropertyName("exitCode")] public int? ExitCode { get; set; }
    /// <summary>The image the system was made from (its canonical name when it was created); null for a system made
    /// from layers or a bundle. Front ends (the Docker API) refuse to remove an image a system still uses.</summary>
    [JsonPropertyName("image")] public string? Image { get; set; }
    /// <summary>That image's id, the digest of its config ("sha256:..."), which stays right when the name is later
    /// retagged or removed; null as for <see cref="Image"/>, and for systems created before it was recorded.</summary>
    [JsonPropertyName("imageId")] public string? ImageId { get; set; }
    /// <summary>When the init last exited (UTC), when known; null while it runs.</summary>
    [JsonPropertyName("finished")] public DateTime? Finished { get; set; }
    /// <summary>When the system was last started (UTC); null before its first start.</summary>
    [JsonPropertyName("started")] public DateTime? Started { get; set; }
}

/// <summary>What <see cref="IComputeSystem.GetPropertiesAsync"/> returns: summary, processes, statistics, warnings.</summary>
public sealed class ComputeSystemProperties
{
    /// <summary>Id, owner, state, pid, creation time, exit code.</summary>
    [JsonPropertyName("summary")] public ComputeSystemSummary Summary { get; set; } = new();
    /// <summary>Host pids of every process in the system.</summary>
    [JsonPropertyName("processes")] public List<int> Processes { get; set; } = [];
    /// <summary>Usage: the portable figures and, on Linux, the cgroup statistics (runc `events --stats` shape) in
    /// <see cref="ComputeStatistics.Linux"/>; null when the system is not running.</summary>
    [JsonPropertyName("statistics")] public ComputeStatistics? Statistics { get; set; }
    /// <summary>What the host could not apply exactly at create (a skipped Storage.QoS, a missing cgroup controller file).</summary>
    [JsonPropertyName("warnings")] public List<string>? Warnings { get; set; }
    /// <summary>The host file receiving the init process's stdout (init.out in the system's scratch directory).</summary>
    [JsonPropertyName("initStdoutPath")] public string? InitStdoutPath { get; set; }
    /// <summary>The host file receiving the init process's stderr (init.err in the system's scratch directory).</summary>
    [JsonPropertyName("initStderrPath")] public string? InitStderrPath { get; set; }
    /// <summary>The init's output log (Docker's json-file format; rotated ones beside it as .1, .2 ...) when the document gave <see cref="ComputeSystemDocument.InitIo"/> without noLog; else null.</summary>
    [JsonPropertyName("initLogPath")] public string? InitLogPath { get; set; }
    /// <summary>The Unix socket that attaches to the init's stdio (<see cref="InitAttach"/>) while it runs, when the
    /// document gave <see cref="ComputeSystemDocument.InitIo"/>; else null.</summary>
    [JsonPropertyName("initAttachSocket")] public string? InitAttachSocket { get; set; }
    /// <summary>The system's root file system as the host sees it (the mounted snapshot or overlay), or null when
    /// the host cannot reach it (a bundle's root is the bundle's own).</summary>
    [JsonPropertyName("rootfsPath")] public string? RootfsPath { get; set; }
}

/// <summary>One item of <see cref="IComputeSystem.EventsAsync"/>.</summary>
public sealed class ComputeSystemEvent
{
    /// <summary>"state" (a state change), "exit" (the init exited; <see cref="ExitCode"/>), "oom".</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    /// <summary>The compute system id.</summary>
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    /// <summary>For "state" events: the new state (running, paused, stopped, deleted).</summary>
    [JsonPropertyName("state")] public string? State { get; set; }
    /// <summary>For "exit" events: the init's exit code (128+N when killed by signal N).</summary>
    [JsonPropertyName("exitCode")] public int? ExitCode { get; set; }
    /// <summary>When the event happened (UTC).</summary>
    [JsonPropertyName("time")] public DateTime Time { get; set; } = DateTime.UtcNow;
}
