using Google.Protobuf;

namespace Carton.EngineTests.Cri;

// RuntimeService's pod sandbox calls: RunPodSandbox, PodSandboxStatus, StopPodSandbox, RemovePodSandbox.
// A sandbox is the pod's pause container; the pod's containers join its namespaces.

/// <summary>The pod's identity, as the kubelet gives it (name, uid, namespace, attempt).</summary>
public sealed class PodSandboxMetadata : CriMessage
{
    public string Name { get; set; } = "";
    public string Uid { get; set; } = "";
    public string Namespace { get; set; } = "";
    public uint Attempt { get; set; }

    public override void WriteFields(CodedOutputStream output)
    {
        Wire.String(output, 1, Name);
        Wire.String(output, 2, Uid);
        Wire.String(output, 3, Namespace);
        Wire.UInt32(output, 4, Attempt);
    }

    protected override bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType)
    {
        switch (field)
        {
            case 1: Name = input.ReadString(); return true;
            case 2: Uid = input.ReadString(); return true;
            case 3: Namespace = input.ReadString(); return true;
            case 4: Attempt = input.ReadUInt32(); return true;
            default: return false;
        }
    }
}

public sealed class LinuxSandboxSecurityContext : CriMessage
{
    public NamespaceOption? NamespaceOptions { get; set; }

    public override void WriteFields(CodedOutputStream output) => Wire.Message(output, 1, NamespaceOptions);
}

public sealed class LinuxPodSandboxConfig : CriMessage
{
    /// <summary>The pod's cgroup; each container's cgroup is made under it (the kubelet's kubepods/pod&lt;uid&gt;).</summary>
    public string CgroupParent { get; set; } = "";
    public LinuxSandboxSecurityContext? SecurityContext { get; set; }

    public override void WriteFields(CodedOutputStream output)
    {
        Wire.String(output, 1, CgroupParent);
        Wire.Message(output, 2, SecurityContext);
    }
}

public sealed class PodSandboxConfig : CriMessage
{
    public PodSandboxMetadata? Metadata { get; set; }
    public string Hostname { get; set; } = "";

    /// <summary>Where the containers' log files go (each container's log_path is relative to it).</summary>
    public string LogDirectory { get; set; } = "";
    public Dictionary<string, string> Labels { get; } = [];
    public Dictionary<string, string> Annotations { get; } = [];
    public LinuxPodSandboxConfig? Linux { get; set; }

    public override void WriteFields(CodedOutputStream output)
    {
        Wire.Message(output, 1, Metadata);
        Wire.String(output, 2, Hostname);
        Wire.String(output, 3, LogDirectory);
        Wire.Map(output, 6, Labels);
        Wire.Map(output, 7, Annotations);
        Wire.Message(output, 8, Linux);
    }
}

public sealed class RunPodSandboxRequest : CriMessage
{
    public PodSandboxConfig? Config { get; set; }

    /// <summary>The runtime handler: a key of the CRI plugin's containerd.runtimes table ("" is the default).</summary>
    public string RuntimeHandler { get; set; } = "";

    public override void WriteFields(CodedOutputStream output)
    {
        Wire.Message(output, 1, Config);
        Wire.String(output, 2, RuntimeHandler);
    }
}

public sealed class RunPodSandboxResponse : CriMessage
{
    public string PodSandboxId { get; private set; } = "";

    protected override bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType)
    {
        if (field != 1) return false;
        PodSandboxId = input.ReadString();
        return true;
    }
}

public sealed class PodSandboxStatusRequest : CriMessage
{
    public string PodSandboxId { get; set; } = "";

    /// <summary>Asks for the runtime's extra information (containerd: a JSON document under the key "info").</summary>
    public bool Verbose { get; set; }

    public override void WriteFields(CodedOutputStream output)
    {
        Wire.String(output, 1, PodSandboxId);
        Wire.Bool(output, 2, Verbose);
    }
}

public enum PodSandboxState
{
    Ready = 0,
    NotReady = 1,
}

public sealed class PodSandboxNetworkStatus : CriMessage
{
    public string Ip { get; private set; } = "";

    protected override bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType)
    {
        if (field != 1) return false;
        Ip = input.ReadString();
        return true;
    }
}

/// <summary>The namespaces a sandbox was given, as the runtime reports them.</summary>
public sealed class LinuxPodSandboxStatus : CriMessage
{
    public NamespaceOption? NamespaceOptions { get; private set; }

    protected override bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType)
    {
        if (field != 1) return false;
        // Field 1 is a Namespace message whose field 2 holds the options.
        var nested = new CodedInputStream(input.ReadBytes().ToByteArray());
        for (uint tag; (tag = nested.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 2) NamespaceOptions = Wire.ReadMessage<NamespaceOption>(nested);
            else nested.SkipLastField();
        }
        return true;
    }
}

public sealed class PodSandboxStatus : CriMessage
{
    public string Id { get; private set; } = "";
    public PodSandboxMetadata? Metadata { get; private set; }
    public PodSandboxState State { get; private set; }

    /// <summary>Nanoseconds since the epoch.</summary>
    public long CreatedAt { get; private set; }
    public PodSandboxNetworkStatus? Network { get; private set; }
    public LinuxPodSandboxStatus? Linux { get; private set; }
    public string RuntimeHandler { get; private set; } = "";

    protected override bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType)
    {
        switch (field)
        {
            case 1: Id = input.ReadString(); return true;
            case 2: Metadata = Wire.ReadMessage<PodSandboxMetadata>(input); return true;
            case 3: State = (PodSandboxState)input.ReadEnum(); return true;
            case 4: CreatedAt = input.ReadInt64(); return true;
            case 5: Network = Wire.ReadMessage<PodSandboxNetworkStatus>(input); return true;
            case 6: Linux = Wire.ReadMessage<LinuxPodSandboxStatus>(input); return true;
            case 9: RuntimeHandler = input.ReadString(); return true;
            default: return false;
        }
    }
}

public sealed class PodSandboxStatusResponse : CriMessage
{
    public PodSandboxStatus? Status { get; private set; }

    /// <summary>Filled only for a verbose request.</summary>
    public Dictionary<string, string> Info { get; } = [];

    protected override bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType)
    {
        switch (field)
        {
            case 1: Status = Wire.ReadMessage<PodSandboxStatus>(input); return true;
            case 2: Wire.ReadMapEntry(input, Info); return true;
            default: return false;
        }
    }
}

public sealed class StopPodSandboxRequest : CriMessage
{
    public string PodSandboxId { get; set; } = "";

    public override void WriteFields(CodedOutputStream output) => Wire.String(output, 1, PodSandboxId);
}

public sealed class RemovePodSandboxRequest : CriMessage
{
    public string PodSandboxId { get; set; } = "";

    public override void WriteFields(CodedOutputStream output) => Wire.String(output, 1, PodSandboxId);
}

/// <summary>ListPodSandbox with no filter: every sandbox, ready or not (used to clean up after a failed test).</summary>
public sealed class ListPodSandboxRequest : CriMessage;

public sealed class PodSandbox : CriMessage
{
    public string Id { get; private set; } = "";
    public PodSandboxState State { get; private set; }
    public string RuntimeHandler { get; private set; } = "";

    protected override bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType)
    {
        switch (field)
        {
            case 1: Id = input.ReadString(); return true;
            case 3: State = (PodSandboxState)input.ReadEnum(); return true;
            case 7: RuntimeHandler = input.ReadString(); return true;
            default: return false;
        }
    }
}

public sealed class ListPodSandboxResponse : CriMessage
{
    public List<PodSandbox> Items { get; } = [];

    protected override bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType)
    {
        if (field != 1) return false;
        Items.Add(Wire.ReadMessage<PodSandbox>(input));
        return true;
    }
}
