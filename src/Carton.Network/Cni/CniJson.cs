using System.Text.Json;
using System.Text.Json.Nodes;

namespace Carton.Network.Cni;

/// <summary>Reading CNI documents field by field with JsonNode (AOT-safe, no reflection), each problem an
/// <see cref="ErrorKind.InvalidDocument"/> naming the source and the JSON path.</summary>
internal static class CniJson
{
    /// <summary>Parses <paramref name="json"/> as one JSON object.</summary>
    public static JsonObject ParseObject(string json, string source, string what)
    {
        JsonNode? node;
        // Duplicate keys are refused while parsing: JsonObject would accept them here and throw ArgumentException on
        // the first lookup instead (found by fuzzing, issue 15 §2).
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw Invalid(source, what, "$", $"not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // the duplicate check decodes each key; a lone surrogate escape ("\ud800") cannot be (found by fuzzing)
            throw Invalid(source, what, "$", $"not valid JSON: {e.Message}", e);
        }
        return node as JsonObject ?? throw Invalid(source, what, "$", "not a JSON object");
    }

    /// <summary>The error every document problem becomes: <c>{source}: invalid {what}: {path}: {reason}</c>.</summary>
    public static CartonException Invalid(string source, string what, string path, string reason, Exception? inner = null) =>
        new(ErrorKind.InvalidDocument, $"{source}: invalid {what}: {path}: {reason}", inner, jsonPath: path, reason: reason);

    /// <summary>A string member; null when absent or null, an error when of another type.</summary>
    public static string? OptionalString(JsonObject o, string key, string path, string source, string what)
    {
        if (!o.TryGetPropertyValue(key, out var n) || n is null) return null;
        if (n is JsonValue v && v.GetValueKind() == JsonValueKind.String) return v.GetValue<string>();
        throw Invalid(source, what, path, $"must be a string, not {Kind(n)}");
    }

    /// <summary>A non-empty string member.</summary>
    public static string RequiredString(JsonObject o, string key, string path, string source, string what)
    {
        var s = OptionalString(o, key, path, source, what) ?? throw Invalid(source, what, path, "missing");
        return s.Length == 0 ? throw Invalid(source, what, path, "must not be empty") : s;
    }

    /// <summary>An optional object member.</summary>
    public static JsonObject? OptionalObject(JsonObject o, string key, string path, string source, string what)
    {
        if (!o.TryGetPropertyValue(key, out var n) || n is null) return null;
        return n as JsonObject ?? throw Invalid(source, what, path, $"must be an object, not {Kind(n)}");
    }

    /// <summary>An optional array member.</summary>
    public static JsonArray? OptionalArray(JsonObject o, string key, string path, string source, string what)
    {
        if (!o.TryGetPropertyValue(key, out var n) || n is null) return null;
        return n as JsonArray ?? throw Invalid(source, what, path, $"must be an array, not {Kind(n)}");
    }

    /// <summary>An optional array of strings.</summary>
    public static List<string> StringArray(JsonObject o, string key, string path, string source, string what)
    {
        var list = new List<string>();
        var a = OptionalArray(o, key, path, source, what);
        if (a is null) return list;
        for (var i = 0; i < a.Count; i++)
        {
            if (a[i] is JsonValue v && v.GetValueKind() == JsonValueKind.String) list.Add(v.GetValue<string>());
            else throw Invalid(source, what, $"{path}[{i}]", $"must be a string, not {Kind(a[i])}");
        }
        return list;
    }

    /// <summary>A boolean member; libcni also takes the strings "true" and "false" (configurations written by
    /// templating tools quote them), so this does too.</summary>
    public static bool OptionalBool(JsonObject o, string key, string path, string source, string what)
    {
        if (!o.TryGetPropertyValue(key, out var n) || n is null) return false;
        if (n is JsonValue v)
        {
            switch (v.GetValueKind())
            {
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                case JsonValueKind.String:
                    var s = v.GetValue<string>();
                    if (string.Equals(s, "true", StringComparison.OrdinalIgnoreCase)) return true;
                    if (string.Equals(s, "false", StringComparison.OrdinalIgnoreCase)) return false;
                    break;
            }
        }
        throw Invalid(source, what, path, $"must be a boolean, not {Kind(n)}");
    }

    /// <summary>An optional non-negative integer member.</summary>
    public static long? OptionalInteger(JsonObject o, string key, string path, string source, string what)
    {
        if (!o.TryGetPropertyValue(key, out var n) || n is null) return null;
        if (n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var l)) return l;
        throw Invalid(source, what, path, $"must be an integer, not {Kind(n)}");
    }

    /// <summary>The JSON kind of a node, for messages.</summary>
    public static string Kind(JsonNode? n) => n switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        },
        _ => "unknown",
    };

    /// <summary>A compact serialisation of a node (stdin of plugins, the cache).</summary>
    public static string Compact(JsonNode node) => node.ToJsonString();
}
