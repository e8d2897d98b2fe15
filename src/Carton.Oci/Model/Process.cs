using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Oci;

/// <summary>config.md "Process" (POSIX process plus Linux process properties).</summary>
public sealed class Process
{
    [JsonPropertyName("terminal")] public bool? Terminal { get; set; }
    [JsonPropertyName("consoleSize")] public ConsoleBox? ConsoleSize { get; set; }
    /// <summary>config.md "User": REQUIRED on POSIX platforms.</summary>
    [JsonPropertyName("user")] public User? User { get; set; }
    /// <summary>argv; must not be empty for a POSIX container start.</summary>
    [JsonPropertyName("args")] public List<string>? Args { get; set; }
    /// <summary>Windows only; kept so round trips preserve it.</summary>
    [JsonPropertyName("commandLine")] public string? CommandLine { get; set; }
    [JsonPropertyName("env")] public List<string>? Env { get; set; }
    /// <summary>REQUIRED, absolute path inside the container.</summary>
    [JsonPropertyName("cwd")] public string? Cwd { get; set; }
    [JsonPropertyName("capabilities")] public LinuxCapabilities? Capabilities { get; set; }
    [JsonPropertyName("rlimits")] public List<PosixRlimit>? Rlimits { get; set; }
    [JsonPropertyName("noNewPrivileges")] public bool? NoNewPrivileges { get; set; }
    [JsonPropertyName("apparmorProfile")] public string? ApparmorProfile { get; set; }
    /// <summary>Written to /proc/[pid]/oom_score_adj; range -1000..1000.</summary>
    [JsonPropertyName("oomScoreAdj")] public int? OomScoreAdj { get; set; }
    [JsonPropertyName("selinuxLabel")] public string? SelinuxLabel { get; set; }
    [JsonPropertyName("ioPriority")] public LinuxIOPriority? IoPriority { get; set; }
    [JsonPropertyName("scheduler")] public LinuxScheduler? Scheduler { get; set; }
    [JsonPropertyName("execCPUAffinity")] public CPUAffinity? ExecCPUAffinity { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config.md "consoleSize": terminal size in characters.</summary>
public sealed class ConsoleBox
{
    [JsonPropertyName("height")] public uint Height { get; set; }
    [JsonPropertyName("width")] public uint Width { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config.md "User" (POSIX platforms).</summary>
public sealed class User
{
    [JsonPropertyName("uid")] public uint Uid { get; set; }
    [JsonPropertyName("gid")] public uint Gid { get; set; }
    [JsonPropertyName("umask")] public uint? Umask { get; set; }
    [JsonPropertyName("additionalGids")] public List<uint>? AdditionalGids { get; set; }
    /// <summary>Windows only in the spec; kept for round trip.</summary>
    [JsonPropertyName("username")] public string? Username { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config.md "capabilities": the five Linux capability sets.</summary>
public sealed class LinuxCapabilities
{
    [JsonPropertyName("bounding")] public List<string>? Bounding { get; set; }
    [JsonPropertyName("effective")] public List<string>? Effective { get; set; }
    [JsonPropertyName("inheritable")] public List<string>? Inheritable { get; set; }
    [JsonPropertyName("permitted")] public List<string>? Permitted { get; set; }
    [JsonPropertyName("ambient")] public List<string>? Ambient { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config.md "rlimits" entry: setrlimit(2) values.</summary>
public sealed class PosixRlimit
{
    /// <summary>RLIMIT_* name, see <see cref="KnownRlimits"/>.</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("hard")] public ulong Hard { get; set; }
    [JsonPropertyName("soft")] public ulong Soft { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config.md "ioPriority": ioprio_set(2) class and level.</summary>
public sealed class LinuxIOPriority
{
    /// <summary>IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE.</summary>
    [JsonPropertyName("class")] public string? Class { get; set; }
    /// <summary>0 (highest) .. 7 (lowest).</summary>
    [JsonPropertyName("priority")] public int Priority { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config.md "scheduler": sched_setattr(2) parameters.</summary>
public sealed class LinuxScheduler
{
    /// <summary>REQUIRED: SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE.</summary>
    [JsonPropertyName("policy")] public string? Policy { get; set; }
    [JsonPropertyName("nice")] public int? Nice { get; set; }
    [JsonPropertyName("priority")] public int? Priority { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    [JsonPropertyName("runtime")] public ulong? Runtime { get; set; }
    [JsonPropertyName("deadline")] public ulong? Deadline { get; set; }
    [JsonPropertyName("period")] public ulong? Period { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config.md "execCPUAffinity": CPU lists used while joining (exec) a container.</summary>
public sealed class CPUAffinity
{
    [JsonPropertyName("initial")] public string? Initial { get; set; }
    [JsonPropertyName("final")] public string? Final { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
