using System.Text.Json.Nodes;

namespace Carton.IntegrationTests.Infrastructure;

/// <summary>Extra config.json editors used by the feature tests (namespaces, linux.* keys, process.* keys).</summary>
public static class BundleConfigExtensions
{
    private static JsonArray Namespaces(Bundle b) => (JsonArray)(b.Linux["namespaces"] ??= new JsonArray());

    /// <summary>Adds the namespace <paramref name="type"/> (or replaces an existing entry), optionally joining <paramref name="path"/>.</summary>
    public static Bundle SetNamespace(this Bundle b, string type, string? path = null) => b.Mutate(_ =>
    {
        var ns = Namespaces(b);
        foreach (var existing in ns.Where(n => n!["type"]!.GetValue<string>() == type).ToList())
        {
            ns.Remove(existing);
        }
        var entry = new JsonObject { ["type"] = type };
        if (path is not null)
        {
            entry["path"] = path;
        }
        ns.Add(entry);
    });

    public static Bundle RemoveNamespace(this Bundle b, string type) => b.Mutate(_ =>
    {
        var ns = Namespaces(b);
        foreach (var existing in ns.Where(n => n!["type"]!.GetValue<string>() == type).ToList())
        {
            ns.Remove(existing);
        }
    });

    public static Bundle SetLinux(this Bundle b, string key, JsonNode? value) => b.Mutate(_ => b.Linux[key] = value);

    public static Bundle SetProcess(this Bundle b, string key, JsonNode? value) => b.Mutate(_ => b.Process[key] = value);

    public static Bundle SetRoot(this Bundle b, string key, JsonNode? value) => b.Mutate(c => ((JsonObject)(c["root"] ??= new JsonObject()))[key] = value);

    /// <summary>Removes every mount whose destination equals <paramref name="destination"/>.</summary>
    public static Bundle RemoveMount(this Bundle b, string destination) => b.Mutate(c =>
    {
        if (c["mounts"] is JsonArray mounts)
        {
            foreach (var m in mounts.Where(m => m!["destination"]?.GetValue<string>() == destination).ToList())
            {
                mounts.Remove(m);
            }
        }
    });

    /// <summary>The "&lt;Field&gt;:" line of /proc/&lt;pid&gt;/status (value part, trimmed), or null.</summary>
    public static string? ProcStatusField(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return line[(field.Length + 1)..].Trim();
            }
        }
        return null;
    }
}
