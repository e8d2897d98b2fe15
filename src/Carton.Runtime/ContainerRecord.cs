using System.Text.Json.Serialization;
using Carton.Oci;

namespace Carton.Runtime;

/// <summary>What carton keeps about a container in its state directory (state.json), between commands.</summary>
public sealed class ContainerRecord
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("pid")] public int Pid { get; set; }
    /// <summary>Field 22 of /proc/pid/stat when the init started: tells a live init from a recycled pid.</summary>
    [JsonPropertyName("pidStartTime")] public ulong PidStartTime { get; set; }
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("rootfs")] public string Rootfs { get; set; } = "";
    [JsonPropertyName("created")] public DateTime Created { get; set; }
    [JsonPropertyName("owner")] public string Owner { get; set; } = "";
    [JsonPropertyName("cgroupPaths")] public Dictionary<string, string> CgroupPaths { get; set; } = [];
    [JsonPropertyName("spec")] public Spec Spec { get; set; } = new();
    /// <summary>Set once poststart hooks and the start have happened; a stopped container that never started is
    /// reported as stopped too, as runc does.</summary>
    [JsonPropertyName("started")] public bool Started { get; set; }
    /// <summary>True from the moment the cgroup exists until the init reported ready: lets `delete --force` undo a
    /// create whose carton process was killed halfway.</summary>
    [JsonPropertyName("creating")] public bool Creating { get; set; }
    /// <summary>True while `kill --all` or `delete --force` has the cgroup frozen around its kills (see
    /// <see cref="Lifecycle"/>'s SignalAllRecorded): a carton or daemon killed before the thaw leaves this set, and
    /// the next operation thaws what the user never paused.</summary>
    [JsonPropertyName("signalFreeze")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool SignalFreeze { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ContainerRecord))]
[JsonSerializable(typeof(InitMessage))]
[JsonSerializable(typeof(SeccompListenerState))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
