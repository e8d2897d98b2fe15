using System.Text.Json.Serialization;
using Carton.Images.Model;

namespace Carton.Docker.Models;

/// <summary>
/// A container's Config (swagger ContainerConfig), as POST /containers/create takes it and inspect returns it. Only
/// the fields Carton acts on or reports are modelled; unknown fields are ignored, as dockerd ignores them.
/// </summary>
public class ContainerCreateConfig
{
    public string? Hostname { get; set; }
    public string? Domainname { get; set; }
    public string? User { get; set; }
    public bool AttachStdin { get; set; }
    public bool AttachStdout { get; set; }
    public bool AttachStderr { get; set; }
    public Dictionary<string, EmptyObject>? ExposedPorts { get; set; }
    public bool Tty { get; set; }
    public bool OpenStdin { get; set; }
    public bool StdinOnce { get; set; }
    public List<string>? Env { get; set; }
    /// <summary>A list, or (as older clients send it) one string run by /bin/sh -c.</summary>
    [JsonConverter(typeof(StringOrListConverter))] public List<string>? Cmd { get; set; }
    public string? Image { get; set; }
    public Dictionary<string, EmptyObject>? Volumes { get; set; }
    public string? WorkingDir { get; set; }
    [JsonConverter(typeof(StringOrListConverter))] public List<string>? Entrypoint { get; set; }
    public bool? NetworkDisabled { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public string? StopSignal { get; set; }
    public int? StopTimeout { get; set; }
    /// <summary>The healthcheck, merged at create with the image's (dockerd's merge in daemon/commit.go); run by <see cref="HealthMonitor"/>.</summary>
    public HealthConfig? Healthcheck { get; set; }
}

/// <summary>Config.Healthcheck (swagger HealthConfig): durations in nanoseconds, 0 (or absent) the default.</summary>
public sealed class HealthConfig
{
    /// <summary>[] inherit the image's, ["NONE"] disabled, ["CMD", args...], ["CMD-SHELL", command].</summary>
    public List<string>? Test { get; set; }
    public long? Interval { get; set; }
    public long? Timeout { get; set; }
    public int? Retries { get; set; }
    public long? StartPeriod { get; set; }
    public long? StartInterval { get; set; }
}

/// <summary>The body of POST /containers/create: the Config's fields at the top level, with HostConfig and NetworkingConfig.</summary>
public sealed class ContainerCreateBody : ContainerCreateConfig
{
    public HostConfig? HostConfig { get; set; }
    public NetworkingConfig? NetworkingConfig { get; set; }
}

/// <summary>POST /containers/create's answer.</summary>
public sealed class ContainerCreateResponse
{
    public string Id { get; set; } = "";
    public List<string> Warnings { get; set; } = [];
}
