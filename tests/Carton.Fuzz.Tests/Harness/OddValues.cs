using System.Text.Json.Nodes;
using CsCheck;

namespace Carton.Fuzz.Tests.Harness;

/// <summary>
/// CsCheck generators of the JSON values a structure-aware target puts into a document: odd strings (empty, NUL,
/// "..", absolute and relative paths, very long, control characters, lone surrogates, a marker turned into invalid
/// UTF-8 bytes), edge numbers (huge, negative, fractional, beyond 64 bits), wrong types, and deep nesting.
/// </summary>
public static class OddValues
{
    /// <summary>Replaced by invalid UTF-8 bytes after serialization (<see cref="JsonShape"/>).</summary>
    public const string RawMarker = "@@RAW@@";

    public static readonly string[] Strings =
    [
        "", " ", "\0", "a\0b", ".", "..", "../..", "/..", "/../../etc/passwd", "/", "//", "a/../../b", "/proc/self/fd/0",
        "\n", "\t", "=", "a=b", ":", "a:b", ",", "-1", "0", "4294967296", "18446744073709551616", "null", "true",
        "\u202e", "\ud800", "\udfff", "é", "日本", RawMarker, "a" + RawMarker, "/tmp/" + RawMarker,
        new string('a', 300), new string('/', 4097), "/" + new string('x', 5000), string.Concat(Enumerable.Repeat("../", 200)),
    ];

    private static readonly string[] NumberLiterals =
    [
        "0", "-0", "-1", "1", "255", "256", "65535", "65536", "2147483647", "2147483648", "-2147483648", "-2147483649",
        "4294967295", "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "18446744073709551615", "18446744073709551616", "1e308", "-1e308", "1e999", "1.5",
        "0.000001", "-0.5", "1E2", "123456789012345678901234567890",
    ];

    /// <summary>A random string: an odd one, a domain one from <paramref name="domain"/>, or CsCheck's own.</summary>
    public static Gen<string> String(string[] domain) => Gen.Frequency(
        (3, Gen.OneOf(Strings)),
        (domain.Length > 0 ? 4 : 0, Gen.OneOf(domain.Length > 0 ? domain : [""])),
        (2, Gen.String),
        (1, Gen.Char.Array[0, 40].Select(c => new string(c))));

    /// <summary>A random number node, edge values first.</summary>
    public static readonly Gen<JsonNode?> Number = Gen.Frequency(
        (3, Gen.OneOf(NumberLiterals).Select(n => JsonNode.Parse(n))),
        (2, Gen.Long.Select(l => (JsonNode?)JsonValue.Create(l))),
        (1, Gen.Int[-5, 70000].Select(i => (JsonNode?)JsonValue.Create(i))),
        (1, Gen.Double.Where(d => double.IsFinite(d)).Select(d => (JsonNode?)JsonValue.Create(d))));

    /// <summary>Any value: strings, numbers, booleans, null, small arrays and objects, or nesting up to 200 deep.</summary>
    public static Gen<JsonNode?> Value(string[] domain)
    {
        var str = String(domain);
        var scalar = Gen.Frequency(
            (4, str.Select(s => (JsonNode?)JsonValue.Create(s))),
            (3, Number),
            (1, Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b))),
            (1, Gen.Const<JsonNode?>(() => null)));
        return Gen.Frequency(
            (8, scalar),
            (2, scalar.Array[0, 4].Select(a => (JsonNode?)new JsonArray(a))),
            (1, str.Select(scalar, (k, v) => (JsonNode?)new JsonObject { [k] = v })),
            (1, Gen.Int[1, 200].Select(depth => Nest(depth))));
    }

    private static JsonNode? Nest(int depth)
    {
        JsonNode node = new JsonArray();
        for (int i = 0; i < depth; i++) node = i % 2 == 0 ? new JsonArray(node) : new JsonObject { ["a"] = node };
        return node;
    }
}
