using System.Text.Json.Serialization;
using Carton.Oci;

namespace Carton.Compute;

/// <summary>What to create: exactly one of <see cref="Oci"/> or <see cref="Hcs"/>.</summary>
public sealed class ComputeSystemDocument
{
    /// <summary>An OCI runtime spec (with an optional bundle directory); null when <see cref="Hcs"/> is given.</summary>
    [JsonPropertyName("oci")] public OciSystemDocument? Oci { get; set; }
    /// <summary>An HCS container document, translated by the backend (to an OCI spec on Linux); null when <see cref="Oci"/> is given.</summary>
    [JsonPropertyName("hcs")] public HcsSystemDocument? Hcs { get; set; }
    /// <summary>How the init's stdio is kept (either kind of document). Null: stdout and stderr go to init.out and
    /// init.err in the scratch directory and stdin is /dev/null. Given: the system's monitor holds the init's stdio
    /// for as long as it runs, records its output in a log and lets clients attach (<see cref="InitAttach"/>), as
    /// containerd's shims and conmon do, so that neither survives on the caller staying up.</summary>
    [JsonPropertyName("initIo")] public InitIo? InitIo { get; set; }
}

/// <summary>The init's stdio when its monitor relays it: a log of its output, stdin from attached clients, a pty.</summary>
public sealed class InitIo
{
    /// <summary>The log file (absolute): each line of output becomes one JSON line in Docker's json-file format,
    /// {"log": "...\n", "stream": "stdout"|"stderr", "time": RFC 3339 UTC with nanoseconds}. Null: init.log in the
    /// system's scratch directory (deleted with it).</summary>
    [JsonPropertyName("logPath")] public string? LogPath { get; set; }
    /// <summary>Rotate the log when it has reached this many bytes (&gt; 0), as Docker's json-file does with
    /// max-size: the file is renamed logPath.1 (older ones shift up to logPath.N) and a new one is started; a line is
    /// never split across files. Null: the log grows without limit.</summary>
    [JsonPropertyName("logMaxSize")] public long? LogMaxSize { get; set; }
    /// <summary>With <see cref="LogMaxSize"/>: how many files the log spans (&gt;= 1; 1: the file is replaced at each
    /// rotation; n: logPath plus logPath.1 .. logPath.(n-1)). Null: 1.</summary>
    [JsonPropertyName("logMaxFiles")] public int? LogMaxFiles { get; set; }
    /// <summary>Record no log at all (Docker's `none` driver): the output goes only to attached clients. Then
    /// <see cref="LogPath"/>, <see cref="LogMaxSize"/> and <see cref="LogMaxFiles"/> are not given.</summary>
    [JsonPropertyName("noLog")] public bool NoLog { get; set; }
    /// <summary>Give the init a stdin that attached clients write to; otherwise it reads /dev/null.</summary>
    [JsonPropertyName("stdin")] public bool Stdin { get; set; }
    /// <summary>Close the init's stdin when the first client that wrote to it detaches (Docker's StdinOnce).</summary>
    [JsonPropertyName("stdinOnce")] public bool StdinOnce { get; set; }
    /// <summary>Run the init on a pty (spec.process.terminal): its output is one stream (stdout), and attached
    /// clients can resize it.</summary>
    [JsonPropertyName("terminal")] public bool Terminal { get; set; }
    /// <summary>[rows, columns]: the pty's initial size (with <see cref="Terminal"/>).</summary>
    [JsonPropertyName("consoleSize")] public ushort[]? ConsoleSize { get; set; }
}

/// <summary>An OCI runtime spec; a relative root.path is taken relative to <see cref="Bundle"/>.</summary>
public sealed class OciSystemDocument
{
    /// <summary>The runtime spec (config.json's content); validated as `carton create` validates it. process.terminal must be false.</summary>
    [JsonPropertyName("spec")] public Spec Spec { get; set; } = new();
    /// <summary>The bundle directory (must exist); required when root.path is relative. Null: the system's scratch directory.</summary>
    [JsonPropertyName("bundle")] public string? Bundle { get; set; }
    /// <summary>An image reference ("registry.example/app:1"): the system's root is a snapshot of the image (pulled
    /// when the store lacks it), and the spec is built from the image's config with <see cref="Spec"/> merged over it
    /// (objects field by field, arrays replaced, process.env by name, mounts by destination); root.path and bundle are then not given.</summary>
    [JsonPropertyName("image")] public string? Image { get; set; }
    /// <summary>With <see cref="Image"/>: what replaces parts of the image's config before the spec is built from it,
    /// with Docker's rules (a given entrypoint drops the image's Cmd unless a command is given too; a user name is
    /// looked up in the image's /etc/passwd and /etc/group).</summary>
    [JsonPropertyName("imageConfig")] public ImageConfigOverrides? ImageConfig { get; set; }
    /// <summary>The system's networking (issue 12): networks to join with ports to publish, or endpoints and a
    /// namespace made beforehand; null keeps what the spec says (by default a namespace with loopback only).</summary>
    [JsonPropertyName("network")] public SystemNetworking? Network { get; set; }
}

/// <summary>Parts of an image's config replaced before a spec is built from it (`docker run`'s overrides).</summary>
public sealed class ImageConfigOverrides
{
    /// <summary>Replaces the image's Entrypoint (and drops its Cmd unless <see cref="Cmd"/> is given).</summary>
    [JsonPropertyName("entrypoint")] public List<string>? Entrypoint { get; set; }
    /// <summary>Replaces the image's Cmd (a non-empty list).</summary>
    [JsonPropertyName("cmd")] public List<string>? Cmd { get; set; }
    /// <summary>Replaces the image's User: "user", "uid", "user:group", "uid:gid"; names resolved in the image.</summary>
    [JsonPropertyName("user")] public string? User { get; set; }
    /// <summary>Replaces the image's WorkingDir (absolute).</summary>
    [JsonPropertyName("workingDir")] public string? WorkingDir { get; set; }
}

/// <summary>The HCS container document (schema 2.x subset), translated to an OCI spec as hcsshim translates the other way.</summary>
public sealed class HcsSystemDocument
{
    /// <summary>Free-form owner name: recorded, reported in <see cref="ComputeSystemSummary.Owner"/> and usable as an enumeration filter.</summary>
    [JsonPropertyName("Owner")] public string Owner { get; set; } = "";
    /// <summary>The HCS schema version the document follows (2.1 by default; not checked).</summary>
    [JsonPropertyName("SchemaVersion")] public HcsSchemaVersion SchemaVersion { get; set; } = new();
    /// <summary>The container to create: storage, mounts, resources, networking, init process.</summary>
    [JsonPropertyName("Container")] public HcsContainer Container { get; set; } = new();
}

/// <summary>HCS's SchemaVersion ({"Major": 2, "Minor": 1}).</summary>
public sealed class HcsSchemaVersion
{
    /// <summary>The major version (default 2).</summary>
    [JsonPropertyName("Major")] public int Major { get; set; } = 2;
    /// <summary>The minor version (default 1).</summary>
    [JsonPropertyName("Minor")] public int Minor { get; set; } = 1;
}

/// <summary>HCS's Container: what the compute system is made of. Only <see cref="Storage"/> (or <see cref="Image"/>) is required.</summary>
public sealed class HcsContainer
{
    /// <summary>An image reference ("registry.example/app:1") instead of Storage.Layers: the root is a snapshot of
    /// the image (pulled when the store lacks it), and without an InitProcess the image's command is the init
    /// (Entrypoint + Cmd, Env, WorkingDir and User from its config); an InitProcess overrides them (CommandArgs
    /// replace the whole command).</summary>
    [JsonPropertyName("Image")] public string? Image { get; set; }
    /// <summary>The root file system's layers (at least one, unless <see cref="Image"/> is given) and optional disk QoS.</summary>
    [JsonPropertyName("Storage")] public HcsStorage Storage { get; set; } = new();
    /// <summary>Host paths bind-mounted into the container (OCI mounts of type bind, rbind).</summary>
    [JsonPropertyName("MappedDirectories")] public List<HcsMappedDirectory>? MappedDirectories { get; set; }
    /// <summary>CPU limits (cpuset, CFS quota, weight); null: none.</summary>
    [JsonPropertyName("Processor")] public HcsProcessor? Processor { get; set; }
    /// <summary>The memory limit; null: none.</summary>
    [JsonPropertyName("Memory")] public HcsMemory? Memory { get; set; }
    /// <summary>The network namespace; null: a new one with loopback only.</summary>
    [JsonPropertyName("Networking")] public HcsNetworking? Networking { get; set; }
    /// <summary>The container's host name, 1..64 characters; null: the id (truncated to 63 characters).</summary>
    [JsonPropertyName("HostName")] public string? HostName { get; set; }
    /// <summary>The init process; when null the system's pid 1 is carton's own idle init (HCS: processes come later).</summary>
    [JsonPropertyName("InitProcess")] public ProcessParameters? InitProcess { get; set; }
}

/// <summary>HCS's Storage: the layers of the root file system.</summary>
public sealed class HcsStorage
{
    /// <summary>Read-only layer directories, base layer first; mounted with overlayfs under a per-system scratch layer.</summary>
    [JsonPropertyName("Layers")] public List<HcsLayer> Layers { get; set; } = [];
    /// <summary>Disk throttling of the disk under the scratch directory; skipped with a warning when there is no such disk.</summary>
    [JsonPropertyName("QoS")] public HcsStorageQoS? QoS { get; set; }
}

/// <summary>One read-only layer: a directory on the host.</summary>
public sealed class HcsLayer
{
    /// <summary>The layer's id (informational; HCS uses a GUID).</summary>
    [JsonPropertyName("Id")] public string Id { get; set; } = "";
    /// <summary>The layer directory: absolute, existing, without ':' or ',' (overlayfs option syntax).</summary>
    [JsonPropertyName("Path")] public string Path { get; set; } = "";
}

/// <summary>HCS's StorageQoS, applied to both reads and writes as blkio/io throttling.</summary>
public sealed class HcsStorageQoS
{
    /// <summary>Maximum I/O operations per second (each of read and write); null or 0: no limit.</summary>
    [JsonPropertyName("IopsMaximum")] public ulong? IopsMaximum { get; set; }
    /// <summary>Maximum bytes per second (each of read and write); null or 0: no limit.</summary>
    [JsonPropertyName("BandwidthMaximum")] public ulong? BandwidthMaximum { get; set; }
}

/// <summary>A host path bind-mounted into the container.</summary>
public sealed class HcsMappedDirectory
{
    /// <summary>The host file or directory (absolute, must exist).</summary>
    [JsonPropertyName("HostPath")] public string HostPath { get; set; } = "";
    /// <summary>Where it appears in the container (absolute).</summary>
    [JsonPropertyName("ContainerPath")] public string ContainerPath { get; set; } = "";
    /// <summary>Mount it read-only.</summary>
    [JsonPropertyName("ReadOnly")] public bool ReadOnly { get; set; }
}

/// <summary>HCS's Processor: CPU limits, each optional.</summary>
public sealed class HcsProcessor
{
    /// <summary>Number of CPUs, 1..the host's online CPUs: the container runs on CPUs 0..Count-1 (cpuset).</summary>
    [JsonPropertyName("Count")] public uint? Count { get; set; }
    /// <summary>Percent of the processors (1..10000 = 0.01%..100%), as HCS's Maximum.</summary>
    [JsonPropertyName("Maximum")] public uint? Maximum { get; set; }
    /// <summary>Relative weight 1..10000, as HCS's Weight.</summary>
    [JsonPropertyName("Weight")] public uint? Weight { get; set; }
}

/// <summary>HCS's Memory.</summary>
public sealed class HcsMemory
{
    /// <summary>The memory limit in MiB (2^20 bytes), at least 1: memory.max (v2) or memory.limit_in_bytes (v1).</summary>
    [JsonPropertyName("SizeInMB")] public ulong SizeInMB { get; set; }
}

/// <summary>Which network namespace the container gets, and what is attached to it (HCS's Networking section).</summary>
public sealed class HcsNetworking
{
    /// <summary>"none": a network namespace with loopback only (default); "host": the host's network namespace; an
    /// absolute path: join that namespace; otherwise the id of a namespace of the network service (a pod's).</summary>
    [JsonPropertyName("Namespace")] public string? Namespace { get; set; }
    /// <summary>Endpoint ids (made with the network service) to attach, as HCS's NetworkAdapters; they stay when the
    /// system is deleted (they are the caller's), detached.</summary>
    [JsonPropertyName("NetworkAdapters")] public List<string>? NetworkAdapters { get; set; }
    /// <summary>Carton's shorthand: a network name (or "" for the default network) on which an endpoint is made for
    /// the system, and deleted with it.</summary>
    [JsonPropertyName("Network")] public string? Network { get; set; }
    /// <summary>Ports to publish on that endpoint.</summary>
    [JsonPropertyName("Ports")] public List<Carton.Network.PortMapping>? Ports { get; set; }
    /// <summary>Name servers for /etc/resolv.conf (HCS's DNS server list); the host's by default.</summary>
    [JsonPropertyName("DnsServerList")] public List<string>? DnsServerList { get; set; }
    /// <summary>Search domains, comma-separated as in HCS.</summary>
    [JsonPropertyName("DnsSearchList")] public string? DnsSearchList { get; set; }
}

/// <summary>A system's networking in an OCI document: each field is optional. Networks and ports make endpoints
/// owned by the system (deleted with it); endpoints made beforehand are attached and left (detached) on delete.
/// The system's network namespace is a namespace of the network service: its own (made for it, named after it), or
/// <see cref="Namespace"/> to share one (a pod). /etc/hosts, /etc/resolv.conf and /etc/hostname are bind-mounted.</summary>
public sealed class SystemNetworking
{
    /// <summary>Networks to join, by name or id ("" is the default network, `carton`); the first gets <see cref="Ports"/>.</summary>
    [JsonPropertyName("networks")] public List<SystemNetworkAttachment>? Networks { get; set; }
    /// <summary>Ports to publish on the first network's endpoint.</summary>
    [JsonPropertyName("ports")] public List<Carton.Network.PortMapping>? Ports { get; set; }
    /// <summary>Endpoint ids made beforehand, to attach.</summary>
    [JsonPropertyName("endpoints")] public List<string>? Endpoints { get; set; }
    /// <summary>A namespace of the network service to join instead of making one.</summary>
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
    /// <summary>The hostname (also spec.hostname); the system id's first 12 characters by default.</summary>
    [JsonPropertyName("hostname")] public string? Hostname { get; set; }
    /// <summary>Name servers; the host's by default.</summary>
    [JsonPropertyName("dns")] public List<string>? Dns { get; set; }
    /// <summary>Search domains.</summary>
    [JsonPropertyName("dnsSearch")] public List<string>? DnsSearch { get; set; }
    /// <summary>resolv.conf options.</summary>
    [JsonPropertyName("dnsOptions")] public List<string>? DnsOptions { get; set; }
    /// <summary>More /etc/hosts lines, "NAME:IP".</summary>
    [JsonPropertyName("extraHosts")] public List<string>? ExtraHosts { get; set; }
}

/// <summary>One network a system joins.</summary>
public sealed class SystemNetworkAttachment
{
    /// <summary>The network's name or id; "" is the default network.</summary>
    [JsonPropertyName("network")] public string Network { get; set; } = "";
    /// <summary>More names for the system on this network (its id is always one).</summary>
    [JsonPropertyName("aliases")] public List<string>? Aliases { get; set; }
    /// <summary>A fixed address in the network's subnet.</summary>
    [JsonPropertyName("ipAddress")] public string? IpAddress { get; set; }
    /// <summary>A fixed MAC address.</summary>
    [JsonPropertyName("macAddress")] public string? MacAddress { get; set; }
}

/// <summary>HCS's ProcessParameters, for CreateProcess and for a document's init process.</summary>
public sealed class ProcessParameters
{
    /// <summary>The program and its arguments (argv; not empty).</summary>
    [JsonPropertyName("CommandArgs")] public List<string> CommandArgs { get; set; } = [];
    /// <summary>Variables added to the spec's environment (a name already there is replaced); names must not be empty nor contain '='.</summary>
    [JsonPropertyName("Environment")] public Dictionary<string, string>? Environment { get; set; }
    /// <summary>The absolute working directory in the container; null: the spec's (/ by default).</summary>
    [JsonPropertyName("WorkingDirectory")] public string? WorkingDirectory { get; set; }
    /// <summary>"uid[:gid]".</summary>
    [JsonPropertyName("User")] public string? User { get; set; }
    /// <summary>Give the process a stdin pipe (<see cref="IComputeProcess.StandardInput"/>); otherwise stdin is /dev/null. Ignored for an init process.</summary>
    [JsonPropertyName("CreateStdInPipe")] public bool CreateStdInPipe { get; set; }
    /// <summary>Give the process a stdout pipe (<see cref="IComputeProcess.StandardOutput"/>); otherwise stdout is /dev/null. Ignored for an init process.</summary>
    [JsonPropertyName("CreateStdOutPipe")] public bool CreateStdOutPipe { get; set; }
    /// <summary>Give the process a stderr pipe (<see cref="IComputeProcess.StandardError"/>); otherwise stderr is /dev/null. Ignored for an init process.</summary>
    [JsonPropertyName("CreateStdErrPipe")] public bool CreateStdErrPipe { get; set; }
    /// <summary>Run the process on a pty (<see cref="IComputeProcess.Console"/>; the Create*Pipe flags are then ignored). Rejected for an init process.</summary>
    [JsonPropertyName("EmulateConsole")] public bool EmulateConsole { get; set; }
    /// <summary>[rows, columns]: the pty's initial size (with <see cref="EmulateConsole"/>).</summary>
    [JsonPropertyName("ConsoleSize")] public ushort[]? ConsoleSize { get; set; }
}
