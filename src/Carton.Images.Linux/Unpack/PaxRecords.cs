using System.Text;

namespace Carton.Images.Linux.Unpack;

/// <summary>
/// The records of a PAX extended header ('x') read from its raw bytes: "LEN KEY=VALUE\n" (POSIX pax, "pax Extended
/// Header"). System.Formats.Tar decodes every value as UTF-8 and so mangles binary ones: a security.capability value
/// holds bytes such as 0x80 (CAP_SETUID) and a v3 capability's root uid, which come out as U+FFFD. The extended
/// attributes are therefore read here, from the bytes <see cref="TarTap"/> captured, as GNU tar and Go's archive/tar
/// keep them: SCHILY.xattr.NAME=raw bytes, and libarchive's LIBARCHIVE.xattr.URL-ENCODED-NAME=base64 when the same
/// attribute has no SCHILY record.
/// </summary>
internal static class PaxRecords
{
    private const string Schily = "SCHILY.xattr.", Libarchive = "LIBARCHIVE.xattr.";

    /// <summary>The value of the "size" record (the entry's data size when it does not fit the header), or -1.</summary>
    public static long Size(ReadOnlySpan<byte> data)
    {
        long size = -1;
        Walk(data, (key, value) =>
        {
            if (key.SequenceEqual("size"u8) && long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s))
                size = s;
        });
        return size;
    }

    /// <summary>
    /// A time record ("mtime") to the nanosecond: "SECONDS[.FRACTION]", possibly negative (POSIX pax). TarReader keeps
    /// times as DateTimeOffset, 100 ns ticks, and GNU tar writes nine digits: the last two would be lost.
    /// </summary>
    public static bool TryTime(ReadOnlySpan<byte> data, ReadOnlySpan<byte> name, out long seconds, out long nanoseconds)
    {
        long sec = 0, nsec = 0;
        bool found = false;
        var key = name.ToArray();
        Walk(data, (k, value) =>
        {
            if (!k.SequenceEqual(key)) return;
            found = TryParseTime(value, out sec, out nsec);
        });
        seconds = sec;
        nanoseconds = nsec;
        return found;
    }

    private static bool TryParseTime(ReadOnlySpan<byte> value, out long seconds, out long nanoseconds)
    {
        seconds = 0;
        nanoseconds = 0;
        bool negative = value.Length > 0 && value[0] == (byte)'-';
        if (negative) value = value[1..];
        int dot = value.IndexOf((byte)'.');
        var whole = dot < 0 ? value : value[..dot];
        if (whole.Length == 0 || !long.TryParse(whole, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out seconds)) return false;
        if (dot >= 0)
        {
            var fraction = value[(dot + 1)..];
            for (int i = 0; i < 9; i++)
            {
                int digit = 0;
                if (i < fraction.Length)
                {
                    if (fraction[i] is < (byte)'0' or > (byte)'9') return false;
                    digit = fraction[i] - '0';
                }
                nanoseconds = nanoseconds * 10 + digit;
            }
        }
        if (negative)
        {
            seconds = -seconds;
            if (nanoseconds > 0) { seconds--; nanoseconds = 1_000_000_000 - nanoseconds; }
        }
        return true;
    }

    /// <summary>The extended attributes the header carries, by name, values as raw bytes.</summary>
    public static List<KeyValuePair<string, byte[]>> Xattrs(ReadOnlySpan<byte> data)
    {
        var result = new List<KeyValuePair<string, byte[]>>();
        List<KeyValuePair<string, byte[]>>? fromLibarchive = null;
        Walk(data, (key, value) =>
        {
            if (key.StartsWith("SCHILY.xattr."u8))
                result.Add(new(Encoding.UTF8.GetString(key[Schily.Length..]), value.ToArray()));
            else if (key.StartsWith("LIBARCHIVE.xattr."u8))
            {
                var name = Uri.UnescapeDataString(Encoding.UTF8.GetString(key[Libarchive.Length..]));
                byte[] bytes;
                try { bytes = Convert.FromBase64String(Encoding.ASCII.GetString(value)); }
                catch (FormatException) { return; }
                (fromLibarchive ??= []).Add(new(name, bytes));
            }
        });
        if (fromLibarchive is not null)
            foreach (var pair in fromLibarchive)
                if (!result.Exists(r => r.Key == pair.Key)) result.Add(pair);
        return result;
    }

    private delegate void RecordHandler(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    /// <summary>Each well-formed record; stops at the first malformed one (TarReader has refused the header by then).</summary>
    private static void Walk(ReadOnlySpan<byte> data, RecordHandler handler)
    {
        while (data.Length > 0)
        {
            int space = data.IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(data[..space], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int len)
                || len <= space + 1 || len > data.Length || data[len - 1] != (byte)'\n') return;
            var record = data[(space + 1)..(len - 1)];
            int eq = record.IndexOf((byte)'=');
            if (eq > 0) handler(record[..eq], record[(eq + 1)..]);
            data = data[len..];
        }
    }
}
