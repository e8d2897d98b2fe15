using System.Text.Json.Serialization;
using Carton.Oci;

namespace Carton.Compute;

/// <summary>What to create: exactly one of <see cref="Oci"/> or <see cref="Hcs"/>.</summary>
public sealed class ComputeSystemDocument
{
    [JsonPropertyName("oci")] public OciSystemDocument? Oci { get; set; }
    [JsonPropertyName("hcs")] public HcsSystemDocument? Hcs { get; set; }
}

/// <summary>An OCI runtime spec; a relative root.path is taken relative to <see cref="Bundle"/>.</summary>
public sealed class OciSystemDocument
{
    [JsonPropertyName("spec")] public Spec Spec { get; set; } = new();
    [JsonPropertyName("bundle")] public string? Bundle { get; set; }
}

/// <summary>The HCS container document (schema 2.x subset), translated to an OCI spec as hcsshim translates the other way.</summary>
public sealed class HcsSystemDocument
{
    [JsonPropertyName("Owner")] public string Owner { get; set; } = "";
    [JsonPropertyName("SchemaVersion")] public HcsSchemaVersion SchemaVersion { get; set; } = new();
    [JsonPropertyName("Container")] public HcsContainer Container { get; set; } = new();
}

public sealed class HcsSchemaVersion
{
    [JsonPropertyName("Major")] public int Major { get; set; } = 2;
    [JsonPropertyName("Minor")] public int Minor { get; set; } = 1;
}

public sealed class HcsContainer
{
    [JsonPropertyName("Storage")] public HcsStorage Storage { get; set; } = new();
    [JsonPropertyName("MappedDirectories")] public List<HcsMappedDirectory>? MappedDirectories { get; set; }
    [JsonPropertyName("Processor")] public HcsProcessor? Processor { get; set; }
    [JsonPropertyName("Memory")] public HcsMemory? Memory { get; set; }
    [JsonPropertyName("Networking")] public HcsNetworking? Networking { get; set; }
    [JsonPropertyName("HostName")] public string? HostName { get; set; }
    /// <summary>The init process; when null the system's pid 1 is carton's own idle init (HCS: processes come later).</summary>
    [JsonPropertyName("InitProcess")] public ProcessParameters? InitProcess { get; set; }
}

public sealed class HcsStorage
{
    /// <summary>Read-only layer directories, base layer first; mounted with overlayfs under a per-system scratch layer.</summary>
    [JsonPropertyName("Layers")] public List<HcsLayer> Layers { get; set; } = [];
    [JsonPropertyName("QoS")] public HcsStorageQoS? QoS { get; set; }
}

public sealed class HcsLayer
{
    [JsonPropertyName("Id")] public string Id { get; set; } = "";
    [JsonPropertyName("Path")] public string Path { get; set; } = "";
}

public sealed class HcsStorageQoS
{
    [JsonPropertyName("IopsMaximum")] public ulong? IopsMaximum { get; set; }
    [JsonPropertyName("BandwidthMaximum")] public ulong? BandwidthMaximum { get; set; }
}

public sealed class HcsMappedDirectory
{
    [JsonPropertyName("HostPath")] public string HostPath { get; set; } = "";
    [JsonPropertyName("ContainerPath")] public string ContainerPath { get; set; } = "";
    [JsonPropertyName("ReadOnly")] public bool ReadOnly { get; set; }
}

public sealed class HcsProcessor
{
    [JsonPropertyName("Count")] public uint? Count { get; set; }
    /// <summary>Percent of the processors (1..10000 = 0.01%..100%), as HCS's Maximum.</summary>
    [JsonPropertyName("Maximum")] public uint? Maximum { get; set; }
    /// <summary>Relative weight 1..10000, as HCS's Weight.</summary>
    [JsonPropertyName("Weight")] public uint? Weight { get; set; }
}

public sealed class HcsMemory
{
    [JsonPropertyName("SizeInMB")] public ulong SizeInMB { get; set; }
}

public sealed class HcsNetworking
{
    /// <summary>"none": a network namespace with loopback only (default); "host": the host's network namespace; a path: join it.</summary>
    [JsonPropertyName("Namespace")] public string? Namespace { get; set; }
}

/// <summary>HCS's ProcessParameters, for CreateProcess and for a document's init process.</summary>
public sealed class ProcessParameters
{
    [JsonPropertyName("CommandArgs")] public List<string> CommandArgs { get; set; } = [];
    [JsonPropertyName("Environment")] public Dictionary<string, string>? Environment { get; set; }
    [JsonPropertyName("WorkingDirectory")] public string? WorkingDirectory { get; set; }
    /// <summary>"uid[:gid]".</summary>
    [JsonPropertyName("User")] public string? User { get; set; }
    [JsonPropertyName("CreateStdInPipe")] public bool CreateStdInPipe { get; set; }
    [JsonPropertyName("CreateStdOutPipe")] public bool CreateStdOutPipe { get; set; }
    [JsonPropertyName("CreateStdErrPipe")] public bool CreateStdErrPipe { get; set; }
    [JsonPropertyName("EmulateConsole")] public bool EmulateConsole { get; set; }
    /// <summary>[rows, columns].</summary>
    [JsonPropertyName("ConsoleSize")] public ushort[]? ConsoleSize { get; set; }
}
