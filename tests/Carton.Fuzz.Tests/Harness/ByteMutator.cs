using System.Text;
using CsCheck;

namespace Carton.Fuzz.Tests.Harness;

/// <summary>
/// Byte-level mutation of the corpus: CsCheck picks two seeds, a mutation count and a random stream; each mutation
/// is a bit flip, an interesting byte, a truncation, a splice of the two seeds, an inserted interesting token
/// (huge numbers, null, "..", NUL, deep brackets), a deleted or repeated chunk, or invalid UTF-8.
/// </summary>
public static class ByteMutator
{
    private static readonly byte[] InterestingBytes =
        [0x00, 0xFF, 0x7F, 0x80, 0xC0, (byte)'"', (byte)'\\', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)':', (byte)',', (byte)'0', (byte)'9', (byte)'-', (byte)'/', (byte)'.', (byte)' '];

    /// <summary>Tokens spliced into documents: JSON's edge values and path tricks.</summary>
    public static readonly string[] JsonTokens =
    [
        "null", "true", "false", "-1", "0", "-0", "1e999", "-1e999", "1e-999", "0.5", "18446744073709551616",
        "18446744073709551615", "9223372036854775808", "-9223372036854775809", "4294967296", "2147483648", "-2147483649",
        "65536", "\"\"", "\"..\"", "\"../../../etc/passwd\"", "\"\\u0000\"", "\"a\\u0000b\"", "\"/\"", "\"/a:b,c\"", "[]", "{}",
        "[[[[[[[[[[[[[[[[", "{\"a\":{\"a\":{\"a\":{\"a\":", "\"\\ud800\"", "\"" + new string('x', 5000) + "\"", ",", ":", "\"", "\\",
    ];

    private static readonly byte[][] InvalidUtf8 = [[0xFF], [0xC3, 0x28], [0xE2, 0x82], [0xF0, 0x28, 0x8C, 0x28], [0xED, 0xA0, 0x80], [0xC0, 0xAF]];

    /// <summary>Mutants of <paramref name="seeds"/>; <paramref name="extraTokens"/> adds the target's own interesting values.</summary>
    public static Gen<byte[]> Mutants(IReadOnlyList<byte[]> seeds, params string[] extraTokens)
    {
        var tokens = JsonTokens.Concat(extraTokens).Select(t => Encoding.UTF8.GetBytes(t)).ToArray();
        return Gen.Select(Gen.Int[0, seeds.Count - 1], Gen.Int[0, seeds.Count - 1], Gen.Int[1, 8], Gen.Int,
            (a, b, count, random) => Mutate(seeds[a], seeds[b], count, new Random(random), tokens));
    }

    private static byte[] Mutate(byte[] seed, byte[] other, int count, Random r, byte[][] tokens)
    {
        var data = new List<byte>(seed);
        for (int i = 0; i < count; i++)
        {
            int pos = data.Count == 0 ? 0 : r.Next(data.Count);
            switch (r.Next(10))
            {
                case 0:
                    if (data.Count > 0) data[pos] ^= (byte)(1 << r.Next(8));
                    break;
                case 1:
                    if (data.Count > 0) data[pos] = InterestingBytes[r.Next(InterestingBytes.Length)];
                    break;
                case 2:
                    data.RemoveRange(pos, data.Count - pos);
                    break;
                case 3:
                {
                    int cut = other.Length == 0 ? 0 : r.Next(other.Length);
                    data.RemoveRange(pos, data.Count - pos);
                    data.AddRange(other.AsSpan(cut).ToArray());
                    break;
                }
                case 4:
                case 5:
                    data.InsertRange(pos, tokens[r.Next(tokens.Length)]);
                    break;
                case 6:
                    if (data.Count > 0) data.RemoveRange(pos, Math.Min(data.Count - pos, 1 + r.Next(64)));
                    break;
                case 7:
                {
                    if (data.Count == 0) break;
                    int len = Math.Min(data.Count - pos, 1 + r.Next(16));
                    var chunk = data.GetRange(pos, len);
                    int times = 1 + r.Next(r.Next(2) == 0 ? 4 : 300);
                    for (int t = 0; t < times; t++) data.InsertRange(pos, chunk);
                    break;
                }
                case 8:
                    data.InsertRange(pos, InvalidUtf8[r.Next(InvalidUtf8.Length)]);
                    break;
                default:
                {
                    // a number made huge or negative: find a digit and replace its run
                    int at = data.FindIndex(pos, c => c is >= (byte)'0' and <= (byte)'9');
                    if (at < 0) break;
                    int end = at;
                    while (end < data.Count && data[end] is >= (byte)'0' and <= (byte)'9') end++;
                    data.RemoveRange(at, end - at);
                    data.InsertRange(at, Encoding.ASCII.GetBytes(r.Next(4) switch
                    {
                        0 => "99999999999999999999999",
                        1 => "4294967295",
                        2 => "9223372036854775807",
                        _ => "2147483647",
                    }));
                    break;
                }
            }
            if (data.Count > 1 << 20) data.RemoveRange(1 << 20, data.Count - (1 << 20));
        }
        return [.. data];
    }
}
