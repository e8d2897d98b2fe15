using Google.Protobuf;

namespace Carton.EngineTests.Cri;

// RuntimeService.Version: the CRI version the client speaks, and the runtime's name and versions.

public sealed class VersionRequest : CriMessage
{
    /// <summary>The kubelet's CRI API version (field 1).</summary>
    public string Version { get; set; } = "";

    public override void WriteFields(CodedOutputStream output) => Wire.String(output, 1, Version);
}

public sealed class VersionResponse : CriMessage
{
    public string Version { get; private set; } = "";
    public string RuntimeName { get; private set; } = "";
    public string RuntimeVersion { get; private set; } = "";
    public string RuntimeApiVersion { get; private set; } = "";

    protected override bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType)
    {
        switch (field)
        {
            case 1: Version = input.ReadString(); return true;
            case 2: RuntimeName = input.ReadString(); return true;
            case 3: RuntimeVersion = input.ReadString(); return true;
            case 4: RuntimeApiVersion = input.ReadString(); return true;
            default: return false;
        }
    }
}
