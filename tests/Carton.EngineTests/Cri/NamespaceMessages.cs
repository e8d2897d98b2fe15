using Google.Protobuf;

namespace Carton.EngineTests.Cri;

/// <summary>Whose namespace a pod or container uses.</summary>
public enum NamespaceMode
{
    /// <summary>The pod's (the sandbox's) namespace, shared by its containers.</summary>
    Pod = 0,

    /// <summary>A namespace of the container's own.</summary>
    Container = 1,

    /// <summary>The node's (the host's) namespace.</summary>
    Node = 2,

    /// <summary>Another container's namespace.</summary>
    Target = 3,
}

/// <summary>The network, pid and ipc namespace modes of a pod or a container.</summary>
public sealed class NamespaceOption : CriMessage
{
    public NamespaceMode Network { get; set; }
    public NamespaceMode Pid { get; set; }
    public NamespaceMode Ipc { get; set; }

    public override void WriteFields(CodedOutputStream output)
    {
        Wire.Enum(output, 1, (int)Network);
        Wire.Enum(output, 2, (int)Pid);
        Wire.Enum(output, 3, (int)Ipc);
    }

    protected override bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType)
    {
        switch (field)
        {
            case 1: Network = (NamespaceMode)input.ReadEnum(); return true;
            case 2: Pid = (NamespaceMode)input.ReadEnum(); return true;
            case 3: Ipc = (NamespaceMode)input.ReadEnum(); return true;
            default: return false;
        }
    }
}

/// <summary>A wrapped int64, so that 0 (root) can be told apart from "not set".</summary>
public sealed class Int64Value : CriMessage
{
    public long Value { get; set; }

    public override void WriteFields(CodedOutputStream output) => Wire.Int64(output, 1, Value);
}
