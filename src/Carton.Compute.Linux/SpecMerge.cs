using System.Text.Json;
using System.Text.Json.Nodes;
using Carton.Oci;

namespace Carton.Compute.Linux;

/// <summary>
/// A document's spec laid over an image's (the OCI form with an image): objects are merged field by field, arrays
/// and values replace, except process.env, merged by variable name, and mounts, merged by destination (a document's
/// mount replaces the image spec's at the same destination, the others are added after the defaults), so that a
/// document adds a bind mount without restating /proc and /dev. Only what the document sets counts (fields it
/// leaves null are not written, so they do not override).
/// </summary>
internal static class SpecMerge
{
    public static Spec Over(Spec baseSpec, Spec overrides)
    {
        var target = JsonSerializer.SerializeToNode(baseSpec, OciJsonContext.Compact.Spec)!.AsObject();
        var source = JsonSerializer.SerializeToNode(overrides, OciJsonContext.Compact.Spec)!.AsObject();
        Merge(target, source, "");
        return target.Deserialize(OciJsonContext.Compact.Spec)!;
    }

    private static void Merge(JsonObject target, JsonObject source, string path)
    {
        foreach (var (key, value) in source.ToList())
        {
            var here = path.Length == 0 ? key : path + "." + key;
            if (value is null) continue;
            if (here == "process.env" && target[key] is JsonArray baseEnv && value is JsonArray env)
            {
                target[key] = MergeEnv(baseEnv, env);
                continue;
            }
            if (here == "mounts" && target[key] is JsonArray baseMounts && value is JsonArray mounts)
            {
                var replaced = mounts.Select(m => (string?)m?["destination"]).ToHashSet(StringComparer.Ordinal);
                target[key] = new JsonArray([
                    .. baseMounts.Where(m => !replaced.Contains((string?)m?["destination"])).Select(m => m?.DeepClone()),
                    .. mounts.Select(m => m?.DeepClone())]);
                continue;
            }
            if (value is JsonObject o && target[key] is JsonObject t)
            {
                Merge(t, o, here);
                continue;
            }
            target[key] = value.DeepClone();
        }
    }

    private static JsonArray MergeEnv(JsonArray baseEnv, JsonArray env)
    {
        var result = baseEnv.Select(n => n!.GetValue<string>()).ToList();
        foreach (var entry in env.Select(n => n!.GetValue<string>()))
        {
            int eq = entry.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? entry : entry[..(eq + 1)];
            int at = result.FindIndex(e => e.StartsWith(name, StringComparison.Ordinal));
            if (at >= 0) result[at] = entry;
            else result.Add(entry);
        }
        return new JsonArray([.. result.Select(e => (JsonNode)e)]);
    }
}
