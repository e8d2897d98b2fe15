using System.Text;
using Google.Protobuf;

namespace Carton.EngineTests.Cri;

// RuntimeService.ExecSync: runs a command in a running container and returns its whole output and exit code
// (what the kubelet uses for exec probes; `kubectl exec` goes through the streaming Exec call instead).

public sealed class ExecSyncRequest : CriMessage
{
    public string ContainerId { get; set; } = "";
    public List<string> Cmd { get; } = [];

    /// <summary>Seconds; 0 waits for ever.</summary>
    public long Timeout { get; set; }

    public override void WriteFields(CodedOutputStream output)
    {
        Wire.String(output, 1, ContainerId);
        Wire.Strings(output, 2, Cmd);
        Wire.Int64(output, 3, Timeout);
    }
}

public sealed class ExecSyncResponse : CriMessage
{
    public byte[] Stdout { get; private set; } = [];
    public byte[] Stderr { get; private set; } = [];
    public int ExitCode { get; private set; }

    public string StdoutText => Encoding.UTF8.GetString(Stdout);
    public string StderrText => Encoding.UTF8.GetString(Stderr);

    protected override bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType)
    {
        switch (field)
        {
            case 1: Stdout = input.ReadBytes().ToByteArray(); return true;
            case 2: Stderr = input.ReadBytes().ToByteArray(); return true;
            case 3: ExitCode = input.ReadInt32(); return true;
            default: return false;
        }
    }

    public override string ToString() => $"exit={ExitCode} stdout={StdoutText.TrimEnd()} stderr={StderrText.TrimEnd()}";
}
