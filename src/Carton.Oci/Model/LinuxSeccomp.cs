using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Oci;

/// <summary>config-linux.md "Seccomp".</summary>
public sealed class LinuxSeccomp
{
    /// <summary>REQUIRED: an SCMP_ACT_* action.</summary>
    [JsonPropertyName("defaultAction")] public string? DefaultAction { get; set; }
    [JsonPropertyName("defaultErrnoRet")] public uint? DefaultErrnoRet { get; set; }
    [JsonPropertyName("architectures")] public List<string>? Architectures { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    [JsonPropertyName("listenerPath")] public string? ListenerPath { get; set; }
    [JsonPropertyName("listenerMetadata")] public string? ListenerMetadata { get; set; }
    [JsonPropertyName("syscalls")] public List<LinuxSyscall>? Syscalls { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config-linux.md "Seccomp" syscalls[] rule.</summary>
public sealed class LinuxSyscall
{
    [JsonPropertyName("names")] public List<string>? Names { get; set; }
    [JsonPropertyName("action")] public string? Action { get; set; }
    [JsonPropertyName("errnoRet")] public uint? ErrnoRet { get; set; }
    [JsonPropertyName("args")] public List<LinuxSeccompArg>? Args { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>config-linux.md "Seccomp" syscalls[].args[] comparison.</summary>
public sealed class LinuxSeccompArg
{
    [JsonPropertyName("index")] public uint Index { get; set; }
    [JsonPropertyName("value")] public ulong Value { get; set; }
    [JsonPropertyName("valueTwo")] public ulong ValueTwo { get; set; }
    /// <summary>SCMP_CMP_* operator.</summary>
    [JsonPropertyName("op")] public string? Op { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
