using Google.Protobuf;

namespace Carton.EngineTests.Cri;

// RuntimeService's container calls: CreateContainer, StartContainer, ContainerStatus, StopContainer,
// RemoveContainer and ListContainers.

public sealed class ContainerMetadata : CriMessage
{
    public string Name { get; set; } = "";
    public uint Attempt { get; set; }

    public override void WriteFields(CodedOutputStream output)
    {
        Wire.String(output, 1, Name);
        Wire.UInt32(output, 2, Attempt);
    }

    protected override bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType)
    {
        switch (field)
        {
            case 1: Name = input.ReadString(); return true;
            case 2: Attempt = input.ReadUInt32(); return true;
            default: return false;
        }
    }
}

/// <summary>An environment variable.</summary>
public sealed class KeyValue : CriMessage
{
    public string Key { get; set; } = "";
    public string Value { get; set; } = "";

    public override void WriteFields(CodedOutputStream output)
    {
        Wire.String(output, 1, Key);
        Wire.String(output, 2, Value);
    }
}

/// <summary>The container's cgroup limits (the subset the tests set).</summary>
public sealed class LinuxContainerResources : CriMessage
{
    public long CpuShares { get; set; }
    public long MemoryLimitInBytes { get; set; }

    public override void WriteFields(CodedOutputStream output)
    {
        Wire.Int64(output, 3, CpuShares);
        Wire.Int64(output, 4, MemoryLimitInBytes);
    }
}

public sealed class LinuxContainerSecurityContext : CriMessage
{
    public NamespaceOption? NamespaceOptions { get; set; }

    /// <summary>The uid the container's processes run as (unset: the image's user).</summary>
    public Int64Value? RunAsUser { get; set; }

    public override void WriteFields(CodedOutputStream output)
    {
        Wire.Message(output, 3, NamespaceOptions);
        Wire.Message(output, 5, RunAsUser);
    }
}

public sealed class LinuxContainerConfig : CriMessage
{
    public LinuxContainerResources? Resources { get; set; }
    public LinuxContainerSecurityContext? SecurityContext { get; set; }

    public override void WriteFields(CodedOutputStream output)
    {
        Wire.Message(output, 1, Resources);
        Wire.Message(output, 2, SecurityContext);
    }
}

public sealed class ContainerConfig : CriMessage
{
    public ContainerMetadata? Metadata { get; set; }
    public ImageSpec? Image { get; set; }

    /// <summary>Replaces the image's entrypoint.</summary>
    public List<string> Command { get; } = [];

    /// <summary>Replaces the image's cmd.</summary>
    public List<string> Args { get; } = [];
    public string WorkingDir { get; set; } = "";
    public List<KeyValue> Envs { get; } = [];
    public Dictionary<string, string> Labels { get; } = [];
    public Dictionary<string, string> Annotations { get; } = [];

    /// <summary>The container's log file, relative to the sandbox's log directory.</summary>
    public string LogPath { get; set; } = "";
    public LinuxContainerConfig? Linux { get; set; }

    public override void WriteFields(CodedOutputStream output)
    {
        Wire.Message(output, 1, Metadata);
        Wire.Message(output, 2, Image);
        Wire.Strings(output, 3, Command);
        Wire.Strings(output, 4, Args);
        Wire.String(output, 5, WorkingDir);
        Wire.Messages(output, 6, Envs);
        Wire.Map(output, 9, Labels);
        Wire.Map(output, 10, Annotations);
        Wire.String(output, 11, LogPath);
        Wire.Message(output, 15, Linux);
    }
}

public sealed class CreateContainerRequest : CriMessage
{
    public string PodSandboxId { get; set; } = "";
    public ContainerConfig? Config { get; set; }

    /// <summary>The sandbox's config again: the runtime takes the cgroup parent and log directory from it.</summary>
    public PodSandboxConfig? SandboxConfig { get; set; }

    public override void WriteFields(CodedOutputStream output)
    {
        Wire.String(output, 1, PodSandboxId);
        Wire.Message(output, 2, Config);
        Wire.Message(output, 3, SandboxConfig);
    }
}

public sealed class CreateContainerResponse : CriMessage
{
    public string ContainerId { get; private set; } = "";

    protected override bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType)
    {
        if (field != 1) return false;
        ContainerId = input.ReadString();
        return true;
    }
}

public sealed class StartContainerRequest : CriMessage
{
    public string ContainerId { get; set; } = "";

    public override void WriteFields(CodedOutputStream output) => Wire.String(output, 1, ContainerId);
}

public sealed class StopContainerRequest : CriMessage
{
    public string ContainerId { get; set; } = "";

    /// <summary>Seconds between the stop signal and SIGKILL.</summary>
    public long Timeout { get; set; }

    public override void WriteFields(CodedOutputStream output)
    {
        Wire.String(output, 1, ContainerId);
        Wire.Int64(output, 2, Timeout);
    }
}

public sealed class RemoveContainerRequest : CriMessage
{
    public string ContainerId { get; set; } = "";

    public override void WriteFields(CodedOutputStream output) => Wire.String(output, 1, ContainerId);
}

public enum ContainerState
{
    Created = 0,
    Running = 1,
    Exited = 2,
    Unknown = 3,
}

public sealed class ContainerStatusRequest : CriMessage
{
    public string ContainerId { get; set; } = "";
    public bool Verbose { get; set; }

    public override void WriteFields(CodedOutputStream output)
    {
        Wire.String(output, 1, ContainerId);
        Wire.Bool(output, 2, Verbose);
    }
}

public sealed class ContainerStatus : CriMessage
{
    public string Id { get; private set; } = "";
    public ContainerMetadata? Metadata { get; private set; }
    public ContainerState State { get; private set; }

    /// <summary>Nanoseconds since the epoch, 0 while not started.</summary>
    public long StartedAt { get; private set; }

    /// <summary>Nanoseconds since the epoch, 0 while not finished.</summary>
    public long FinishedAt { get; private set; }
    public int ExitCode { get; private set; }
    public ImageSpec? Image { get; private set; }
    public string ImageRef { get; private set; } = "";
    public string Reason { get; private set; } = "";
    public string Message { get; private set; } = "";
    public string LogPath { get; private set; } = "";

    protected override bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType)
    {
        switch (field)
        {
            case 1: Id = input.ReadString(); return true;
            case 2: Metadata = Wire.ReadMessage<ContainerMetadata>(input); return true;
            case 3: State = (ContainerState)input.ReadEnum(); return true;
            case 5: StartedAt = input.ReadInt64(); return true;
            case 6: FinishedAt = input.ReadInt64(); return true;
            case 7: ExitCode = input.ReadInt32(); return true;
            case 8: Image = Wire.ReadMessage<ImageSpec>(input); return true;
            case 9: ImageRef = input.ReadString(); return true;
            case 10: Reason = input.ReadString(); return true;
            case 11: Message = input.ReadString(); return true;
            case 15: LogPath = input.ReadString(); return true;
            default: return false;
        }
    }
}

public sealed class ContainerStatusResponse : CriMessage
{
    public ContainerStatus? Status { get; private set; }

    /// <summary>Filled only for a verbose request.</summary>
    public Dictionary<string, string> Info { get; } = [];

    protected override bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType)
    {
        switch (field)
        {
            case 1: Status = Wire.ReadMessage<ContainerStatus>(input); return true;
            case 2: Wire.ReadMapEntry(input, Info); return true;
            default: return false;
        }
    }
}

/// <summary>Narrows ListContainers to one pod's containers.</summary>
public sealed class ContainerFilter : CriMessage
{
    public string PodSandboxId { get; set; } = "";

    public override void WriteFields(CodedOutputStream output) => Wire.String(output, 3, PodSandboxId);
}

public sealed class ListContainersRequest : CriMessage
{
    public ContainerFilter? Filter { get; set; }

    public override void WriteFields(CodedOutputStream output) => Wire.Message(output, 1, Filter);
}

public sealed class Container : CriMessage
{
    public string Id { get; private set; } = "";
    public string PodSandboxId { get; private set; } = "";
    public ContainerMetadata? Metadata { get; private set; }
    public ContainerState State { get; private set; }

    protected override bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType)
    {
        switch (field)
        {
            case 1: Id = input.ReadString(); return true;
            case 2: PodSandboxId = input.ReadString(); return true;
            case 3: Metadata = Wire.ReadMessage<ContainerMetadata>(input); return true;
            case 6: State = (ContainerState)input.ReadEnum(); return true;
            default: return false;
        }
    }
}

public sealed class ListContainersResponse : CriMessage
{
    public List<Container> Containers { get; } = [];

    protected override bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType)
    {
        if (field != 1) return false;
        Containers.Add(Wire.ReadMessage<Container>(input));
        return true;
    }
}
