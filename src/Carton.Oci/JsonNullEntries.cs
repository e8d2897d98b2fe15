using System.Globalization;
using System.Text.Json;

namespace Carton.Oci;

/// <summary>
/// Finds a null inside a JSON array. None of Carton's documents (config.json, the compute and Docker bodies, image
/// manifests and configs) has an array whose entries may be null, but System.Text.Json binds <c>[null]</c> to a list
/// holding a null, which every consumer then dereferences: fuzzing (issue 15 §2) found NullReferenceExceptions in
/// the spec validator, the Docker create translation, the image spec and the manifest checks from exactly this.
/// Readers call it once, before binding, and turn the path into their typed error.
/// </summary>
public static class JsonNullEntries
{
    /// <summary>The path of the first null array entry ("$.mounts[2]", "$.HostConfig.Binds[0]"), or null when there is none.</summary>
    public static string? Find(JsonElement root) => Find(root, "$", 0);

    private static string? Find(JsonElement e, string path, int depth)
    {
        // the readers' own depth limit (64) stops deeper documents before this runs; stay safe without recursion blowups
        if (depth > 128) return null;
        switch (e.ValueKind)
        {
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    var at = path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]";
                    if (item.ValueKind == JsonValueKind.Null) return at;
                    if (Find(item, at, depth + 1) is { } found) return found;
                    i++;
                }
                return null;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                    if (Find(p.Value, path + "." + p.Name, depth + 1) is { } found) return found;
                return null;
            default:
                return null;
        }
    }
}
