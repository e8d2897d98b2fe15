using Google.Protobuf;

namespace Carton.EngineTests.Cri;

/// <summary>
/// A CRI message written by hand: each subclass names its fields with their protobuf numbers and writes or reads
/// them through <see cref="Wire"/>. There is no generated code and no descriptor, so these are not
/// <see cref="IMessage"/>s: gRPC is given plain byte arrays (see <see cref="CriClient"/>).
/// Fields the tests do not use are skipped on reading and never written, which protobuf allows in both directions.
/// </summary>
public abstract class CriMessage
{
    /// <summary>Writes the fields that differ from their proto3 default (an unset field is simply absent).</summary>
    public virtual void WriteFields(CodedOutputStream output)
    {
    }

    /// <summary>Reads one field whose tag was just read; false leaves it to be skipped.</summary>
    protected virtual bool ReadField(CodedInputStream input, int field, WireFormat.WireType wireType) => false;

    public byte[] ToBytes()
    {
        using var ms = new MemoryStream();
        var output = new CodedOutputStream(ms);
        WriteFields(output);
        output.Flush();
        return ms.ToArray();
    }

    public static T Parse<T>(byte[] bytes) where T : CriMessage, new()
    {
        var message = new T();
        message.MergeFrom(new CodedInputStream(bytes));
        return message;
    }

    private void MergeFrom(CodedInputStream input)
    {
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (!ReadField(input, WireFormat.GetTagFieldNumber(tag), WireFormat.GetTagWireType(tag)))
                input.SkipLastField();
        }
    }
}

/// <summary>A response with no fields the tests read (StartContainerResponse, StopPodSandboxResponse, ...).</summary>
public sealed class Empty : CriMessage;
