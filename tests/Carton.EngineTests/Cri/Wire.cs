using Google.Protobuf;

namespace Carton.EngineTests.Cri;

/// <summary>
/// The protobuf wire format for the hand-written CRI messages: one writer per field kind, each writing the tag
/// (field number and wire type) and then the value, and the readers for nested messages and map entries.
/// proto3 scalars at their default value (0, false, "") are left out, as protobuf's own encoders do; nested messages
/// are written whenever they are set, because for them presence means something.
/// </summary>
public static class Wire
{
    public static void String(CodedOutputStream output, int field, string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }

    /// <summary>A repeated string: one tagged value per element, empty ones included (their position matters).</summary>
    public static void Strings(CodedOutputStream output, int field, IEnumerable<string>? values)
    {
        foreach (var value in values ?? [])
        {
            output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            output.WriteString(value);
        }
    }

    public static void Bool(CodedOutputStream output, int field, bool value)
    {
        if (!value) return;
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteBool(value);
    }

    public static void Int64(CodedOutputStream output, int field, long value)
    {
        if (value == 0) return;
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt64(value);
    }

    public static void UInt32(CodedOutputStream output, int field, uint value)
    {
        if (value == 0) return;
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteUInt32(value);
    }

    /// <summary>An enum, written as its number (a varint like int32).</summary>
    public static void Enum(CodedOutputStream output, int field, int value)
    {
        if (value == 0) return;
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteEnum(value);
    }

    /// <summary>A nested message: its encoding, length-prefixed.</summary>
    public static void Message(CodedOutputStream output, int field, CriMessage? value)
    {
        if (value is null) return;
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(value.ToBytes()));
    }

    /// <summary>A repeated nested message: one tagged, length-prefixed encoding per element.</summary>
    public static void Messages(CodedOutputStream output, int field, IEnumerable<CriMessage>? values)
    {
        foreach (var value in values ?? []) Message(output, field, value);
    }

    /// <summary>A map&lt;string, string&gt;: on the wire, a repeated message whose field 1 is the key and 2 the value.</summary>
    public static void Map(CodedOutputStream output, int field, IReadOnlyDictionary<string, string>? map)
    {
        foreach (var (key, value) in map ?? new Dictionary<string, string>())
        {
            using var ms = new MemoryStream();
            var entry = new CodedOutputStream(ms);
            String(entry, 1, key);
            String(entry, 2, value);
            entry.Flush();
            output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(ms.ToArray()));
        }
    }

    /// <summary>Reads a nested message (its length prefix was not yet read).</summary>
    public static T ReadMessage<T>(CodedInputStream input) where T : CriMessage, new() =>
        CriMessage.Parse<T>(input.ReadBytes().ToByteArray());

    /// <summary>Reads one map entry into <paramref name="map"/> (a later duplicate key wins, as in protobuf).</summary>
    public static void ReadMapEntry(CodedInputStream input, Dictionary<string, string> map)
    {
        var entry = new CodedInputStream(input.ReadBytes().ToByteArray());
        string key = "", value = "";
        for (uint tag; (tag = entry.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: key = entry.ReadString(); break;
                case 2: value = entry.ReadString(); break;
                default: entry.SkipLastField(); break;
            }
        }
        map[key] = value;
    }
}
