using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;

namespace Carton.Fuzz.Tests.Harness;

/// <summary>
/// Structure-aware documents: a valid document of the target (a corpus seed, or one a target builds) with 1 to 6
/// edits at random places in its tree, each chosen by CsCheck: a value replaced by an odd one (<see cref="OddValues"/>:
/// wrong type, huge number, odd string, deep nesting), a field removed, an unknown field added, an array emptied or
/// grown by repeating an element, an object replaced by null. The result keeps the document's shape around the edit,
/// so validation, not only the JSON reader, sees it.
/// </summary>
public static class JsonShape
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly record struct Edit(int Where, int Op, JsonNode? Value, string Key);

    /// <summary>Edited variants of <paramref name="documents"/>; <paramref name="domain"/> are strings that mean something to the target
    /// (field values it checks: action names, mount types, media types...), used alongside the odd ones.</summary>
    public static Gen<byte[]> Variants(Gen<JsonNode> documents, params string[] domain)
    {
        var value = OddValues.Value(domain);
        var key = OddValues.String(domain);
        var edit = Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, 7], value, key, (w, op, v, k) => new Edit(w, op, v, k));
        return Gen.Select(documents, edit.Array[1, 6], (doc, edits) =>
        {
            foreach (var e in edits) Apply(doc, e);
            return Serialize(doc);
        });
    }

    /// <summary>Variants of the corpus seeds that parse as JSON.</summary>
    public static Gen<byte[]> Variants(IReadOnlyList<byte[]> seeds, params string[] domain)
    {
        // A seed that parses but cannot be written back (a key that is a lone surrogate escape, kept in the corpus as
        // a finding's regression input) is left to the byte mutations: JsonNode cannot hold it as text.
        var parsed = seeds.Select(s =>
            {
                try { return JsonNode.Parse(s)?.ToJsonString(); }
                catch (Exception e) when (e is JsonException or InvalidOperationException) { return null; }
            })
            .OfType<string>().ToArray();
        if (parsed.Length == 0) throw new InvalidOperationException("no seed is JSON");
        return Variants(Gen.Int[0, parsed.Length - 1].Select(i => JsonNode.Parse(parsed[i])!), domain);
    }

    /// <summary>The document as UTF-8 bytes, every <see cref="OddValues.RawMarker"/> turned into invalid UTF-8.</summary>
    public static byte[] Serialize(JsonNode? doc)
    {
        string text;
        try { text = doc is null ? "null" : doc.ToJsonString(Relaxed); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException) { return "{}"u8.ToArray(); }
        var bytes = Encoding.UTF8.GetBytes(text);
        var marker = Encoding.ASCII.GetBytes(OddValues.RawMarker);
        int at = bytes.AsSpan().IndexOf(marker);
        if (at < 0) return bytes;
        var output = new List<byte>(bytes.Length);
        var rest = bytes.AsSpan();
        while ((at = rest.IndexOf(marker)) >= 0)
        {
            output.AddRange(rest[..at].ToArray());
            output.AddRange([0xFF, 0xC3, 0x28]);
            rest = rest[(at + marker.Length)..];
        }
        output.AddRange(rest.ToArray());
        return [.. output];
    }

    private static void Apply(JsonNode root, Edit e)
    {
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        var target = nodes[e.Where % nodes.Count];
        switch (target, e.Op)
        {
            case (JsonObject o, 0) when o.Count > 0:
                o.Remove(o.ElementAt(e.Where % o.Count).Key);
                break;
            case (JsonObject o, 1):
                o[e.Key] = e.Value?.DeepClone();
                break;
            case (JsonObject o, 2) when o.Count > 0:
                o[o.ElementAt(e.Where % o.Count).Key] = e.Value?.DeepClone();
                break;
            case (JsonArray a, 0):
                a.Clear();
                break;
            case (JsonArray a, 1) when a.Count > 0:
                {
                    var copy = a[e.Where % a.Count]?.DeepClone();
                    for (int i = 0; i < 1 + e.Where % 50; i++) a.Add(copy?.DeepClone());
                    break;
                }
            case (JsonArray a, 2) when a.Count > 0:
                a[e.Where % a.Count] = e.Value?.DeepClone();
                break;
            case (JsonArray a, 3):
                a.Add(e.Value?.DeepClone());
                break;
            default:
                // replace the node itself in its parent
                if (target.Parent is JsonObject po) po[target.GetPropertyName()] = e.Value?.DeepClone();
                else if (target.Parent is JsonArray pa) pa[target.GetElementIndex()] = e.Value?.DeepClone();
                else if (root is JsonObject ro) ro[e.Key] = e.Value?.DeepClone();
                break;
        }
    }

    private static void Collect(JsonNode? node, List<JsonNode> into)
    {
        if (node is null) return;
        into.Add(node);
        if (node is JsonObject o) foreach (var p in o) Collect(p.Value, into);
        else if (node is JsonArray a) foreach (var x in a) Collect(x, into);
    }
}
