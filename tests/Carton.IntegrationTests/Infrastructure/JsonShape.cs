using System.Text.Json.Nodes;

namespace Carton.IntegrationTests.Infrastructure;

/// <summary>The key structure of a JSON document, for comparing two runtimes' output shapes.</summary>
public static class JsonShape
{
    /// <summary>
    /// Every key path in <paramref name="node"/> ("data.cpu.usage.total"); array elements become "[]"
    /// (the union of their element shapes); leaves carry their JSON kind ("data.pids.current:number").
    /// </summary>
    public static SortedSet<string> Paths(JsonNode? node)
    {
        var acc = new SortedSet<string>(StringComparer.Ordinal);
        Walk(node, "$", acc);
        return acc;
    }

    /// <summary>Null when both shapes are equal, else the paths only in one of them.</summary>
    public static string? Diff(string labelA, JsonNode? a, string labelB, JsonNode? b)
    {
        var pa = Paths(a);
        var pb = Paths(b);
        var onlyA = pa.Except(pb).ToList();
        var onlyB = pb.Except(pa).ToList();
        if (onlyA.Count == 0 && onlyB.Count == 0)
        {
            return null;
        }
        return $"only in {labelA}:\n  {string.Join("\n  ", onlyA)}\nonly in {labelB}:\n  {string.Join("\n  ", onlyB)}";
    }

    private static void Walk(JsonNode? node, string path, SortedSet<string> acc)
    {
        switch (node)
        {
            case JsonObject o:
                acc.Add(path + ":object");
                foreach (var (k, v) in o)
                {
                    Walk(v, path + "." + k, acc);
                }
                break;
            case JsonArray a:
                acc.Add(path + ":array");
                foreach (var item in a)
                {
                    Walk(item, path + "[]", acc);
                }
                break;
            case null:
                acc.Add(path + ":null");
                break;
            default:
                acc.Add(path + ":" + node.GetValueKind().ToString().ToLowerInvariant() switch { "true" or "false" => "bool", var k => k });
                break;
        }
    }
}
