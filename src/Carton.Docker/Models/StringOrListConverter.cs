using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Docker.Models;

/// <summary>
/// Docker's strslice: Cmd and Entrypoint are lists, but older clients send one string, which means `/bin/sh -c STRING`
/// for Cmd in the builder and a one-element list on the API (dockerd's strslice.StrSlice reads it as [STRING]).
/// </summary>
public sealed class StringOrListConverter : JsonConverter<List<string>?>
{
    public override List<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null: return null;
            case JsonTokenType.String: return [reader.GetString()!];
            case JsonTokenType.StartArray:
                var list = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.String) throw new JsonException("expected a string or a list of strings");
                    list.Add(reader.GetString()!);
                }
                return list;
            default: throw new JsonException("expected a string or a list of strings");
        }
    }

    public override void Write(Utf8JsonWriter writer, List<string>? value, JsonSerializerOptions options)
    {
        if (value is null) { writer.WriteNullValue(); return; }
        writer.WriteStartArray();
        foreach (var s in value) writer.WriteStringValue(s);
        writer.WriteEndArray();
    }
}
