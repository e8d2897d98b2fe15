using System.Globalization;

namespace Carton.Linux.Cgroups.Stats;

/// <summary>
/// Parsing of cgroup statistics files, following runc's fscommon helpers: a missing file is "no data" (null), a
/// file that exists but does not parse is a <see cref="CgroupException"/> naming the file and the bad text.
/// </summary>
internal static class CgroupStatFiles
{
    /// <summary>The file's text, or null when it (or its cgroup) does not exist.</summary>
    public static string? ReadText(string dir, string name) => CgroupFiles.TryRead(Path.Combine(dir, name));

    /// <summary>A single-number file such as memory.current; "max" is ulong.MaxValue. Null when missing.</summary>
    public static ulong? ReadUint(string dir, string name)
    {
        var text = ReadText(dir, name);
        return text is null ? null : ParseUint(text.Trim(), dir, name);
    }

    /// <summary>
    /// runc's ParseUint: "max" → ulong.MaxValue; a negative number (v1 writes -1 for "unlimited" in some files) → 0.
    /// </summary>
    public static ulong ParseUint(string text, string dir, string name)
    {
        if (text == "max") return ulong.MaxValue;
        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return value;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var signed) && signed < 0) return 0;
        throw Malformed(dir, name, $"invalid number \"{text}\"");
    }

    public static long? ReadInt(string dir, string name)
    {
        var text = ReadText(dir, name)?.Trim();
        if (text is null) return null;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)) return value;
        throw Malformed(dir, name, $"invalid number \"{text}\"");
    }

    /// <summary>"key value" lines (memory.stat, cpu.stat, memory.events, cpuacct.stat) in file order; null when missing.</summary>
    public static List<KeyValuePair<string, ulong>>? ReadKeyValues(string dir, string name)
    {
        var text = ReadText(dir, name);
        if (text is null) return null;
        var result = new List<KeyValuePair<string, ulong>>();
        foreach (var line in Lines(text))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 2) throw Malformed(dir, name, $"line \"{line}\" is not \"key value\"");
            result.Add(new(fields[0], ParseUint(fields[1], dir, name)));
        }
        return result;
    }

    /// <summary>The value for <paramref name="key"/> in a "key value" file; null when the file or the key is missing.</summary>
    public static ulong? ReadValueByKey(string dir, string name, string key)
    {
        var values = ReadKeyValues(dir, name);
        if (values is null) return null;
        foreach (var (k, v) in values)
            if (k == key) return v;
        return null;
    }

    /// <summary>Space-separated numbers on one line (cpuacct.usage_percpu); null when missing.</summary>
    public static List<ulong>? ReadUintList(string dir, string name)
    {
        var text = ReadText(dir, name);
        if (text is null) return null;
        return text.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(f => ParseUint(f, dir, name)).ToList();
    }

    /// <summary>A cpuset list such as "0-3,7" expanded to [0,1,2,3,7]; null when missing.</summary>
    public static List<ushort>? ReadCpuList(string dir, string name)
    {
        var text = ReadText(dir, name)?.Trim();
        if (text is null) return null;
        var result = new List<ushort>();
        if (text.Length == 0) return result;
        foreach (var part in text.Split(','))
        {
            var range = part.Split('-');
            if (range.Length is < 1 or > 2
                || !ushort.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from))
                throw Malformed(dir, name, $"invalid list element \"{part}\"");
            var to = from;
            if (range.Length == 2 && (!ushort.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out to) || to < from))
                throw Malformed(dir, name, $"invalid range \"{part}\"");
            for (var i = from; i <= to; i++)
            {
                result.Add(i);
                if (i == ushort.MaxValue) break;
            }
        }
        return result;
    }

    public static IEnumerable<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.Length > 0);

    public static CgroupException Malformed(string dir, string name, string detail) =>
        new($"parse {Path.Combine(dir, name)}: {detail}");

    /// <summary>Null for an empty list, so that it is omitted from JSON like Go's omitempty.</summary>
    public static List<T>? NullIfEmpty<T>(List<T>? list) => list is { Count: > 0 } ? list : null;
}
