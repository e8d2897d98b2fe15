using System.Globalization;

namespace Carton.Linux.Cgroups;

/// <summary>
/// The single path by which linux.resources values reach cgroup files (config-linux.md "Control groups"). Every
/// failure becomes a <see cref="CgroupException"/> that starts with the OCI field, then the write and the errno:
/// "linux.resources.memory.limit: write 1048576 to /sys/fs/cgroup/memory/x/memory.limit_in_bytes: device or resource busy (EBUSY)",
/// so a user can tell which setting of config.json the kernel refused.
/// </summary>
internal sealed class CgroupResourceWriter
{
    private readonly List<(string Path, string Value)>? _journal;

    /// <param name="journal">
    /// When given, every successful write is appended to it in order. Tests use it for files written several
    /// times (devices.allow, io.max, ...), of which a plain file in a fake tree keeps only the last value.
    /// </param>
    public CgroupResourceWriter(List<(string Path, string Value)>? journal = null) => _journal = journal;

    /// <summary>Writes <paramref name="value"/> to <paramref name="dir"/>/<paramref name="file"/> with one write(2), or throws naming <paramref name="field"/>.</summary>
    public void Write(string field, string dir, string file, string value)
    {
        var errno = TryWrite(dir, file, value);
        if (errno != 0) throw Failure(field, dir, file, value, errno);
    }

    /// <summary>Writes and returns 0 or the errno, for the few settings where runc tolerates or retries a refusal.</summary>
    public int TryWrite(string dir, string file, string value)
    {
        var path = Path.Combine(dir, file);
        var errno = CgroupFiles.TryWrite(path, value);
        if (errno == 0) _journal?.Add((path, value));
        return errno;
    }

    /// <summary>The exception <see cref="Write"/> throws, for callers that first inspect the errno of <see cref="TryWrite"/>.</summary>
    public static CgroupException Failure(string field, string dir, string file, string value, int errno)
    {
        var path = Path.Combine(dir, file);
        return new CgroupException($"{field}: write {value} to {path}", path, errno);
    }

    /// <summary>True if the control file exists (on cgroupfs a missing file means the kernel or controller lacks the knob).</summary>
    public static bool Exists(string dir, string file) => File.Exists(Path.Combine(dir, file));

    /// <summary>Reads a numeric control file ("max" counts as <see cref="ulong.MaxValue"/>), or throws naming <paramref name="field"/>.</summary>
    public static ulong ReadNumber(string field, string dir, string file)
    {
        var path = Path.Combine(dir, file);
        string text;
        try
        {
            text = CgroupFiles.Read(path).Trim();
        }
        catch (CgroupException e)
        {
            throw new CgroupException($"{field}: {e.Message}", e);
        }
        if (text == "max") return ulong.MaxValue;
        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return value;
        throw new CgroupException($"{field}: read {path}: expected a number, got \"{text}\"");
    }

    /// <summary>Like <see cref="ReadNumber"/> but null when the file is missing or unreadable (for best-effort checks).</summary>
    public static ulong? TryReadNumber(string dir, string file)
    {
        string? text;
        try
        {
            text = CgroupFiles.TryRead(Path.Combine(dir, file))?.Trim();
        }
        catch (CgroupException)
        {
            return null;
        }
        if (text is null) return null;
        if (text == "max") return ulong.MaxValue;
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Format(ulong value) => value.ToString(CultureInfo.InvariantCulture);
}
