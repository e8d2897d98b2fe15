using System.Text;
using System.Text.Json;

namespace Carton.Docker;

/// <summary>
/// Reads a container's json-file log (written by its monitor: one JSON object per line, {"log", "stream", "time"})
/// the way `docker logs` wants it: per stream, since/until, the last N lines, optionally following the file as the
/// container writes it.
/// </summary>
internal static class JsonFileLog
{
    /// <summary>One log line.</summary>
    public readonly record struct Entry(bool Stderr, string Text, DateTime Time, string RawTime);

    /// <summary>What to read.</summary>
    public sealed class Options
    {
        public bool Stdout { get; init; } = true;
        public bool Stderr { get; init; } = true;
        public DateTime? Since { get; init; }
        public DateTime? Until { get; init; }
        /// <summary>Only the last N lines (of the selected streams); null: all.</summary>
        public int? Tail { get; init; }
        public bool Follow { get; init; }
        /// <summary>Read from this byte of the file (a position taken earlier with <see cref="Length"/>); 0: from the start.</summary>
        public long StartOffset { get; init; }
    }

    /// <summary>The log's current length: where the next line will start.</summary>
    public static long Length(string path)
    {
        try { return new FileInfo(path).Length; }
        catch (IOException) { return 0; }
    }

    /// <summary>The entries of <paramref name="path"/>; with Follow, waits for more until <paramref name="stillRunning"/> says
    /// the writer is gone (and the rest is read) or the token cancels.</summary>
    public static async IAsyncEnumerable<Entry> ReadAsync(string path, Options options, Func<Task<bool>> stillRunning,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        FileStream? file = null;
        try
        {
            try { file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous); }
            catch (FileNotFoundException) { }
            catch (DirectoryNotFoundException) { }
            if (file is null) yield break;
            if (options.StartOffset > 0) file.Seek(options.StartOffset, SeekOrigin.Begin);

            var pending = new StringBuilder();
            var buffer = new byte[64 * 1024];
            var decoder = Encoding.UTF8.GetDecoder();
            var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];

            // the tail is taken over what exists now; following then goes on from the end
            if (options.Tail is { } tail)
            {
                var last = new Queue<Entry>();
                if (tail > 0)
                {
                    await foreach (var e in Lines(file, pending, buffer, decoder, chars, options, ct))
                    {
                        last.Enqueue(e);
                        if (last.Count > tail) last.Dequeue();
                    }
                }
                else file.Seek(0, SeekOrigin.End);
                foreach (var e in last) yield return e;
            }
            else
            {
                await foreach (var e in Lines(file, pending, buffer, decoder, chars, options, ct)) yield return e;
            }
            if (!options.Follow) yield break;
            while (true)
            {
                bool running = await stillRunning();
                bool any = false;
                await foreach (var e in Lines(file, pending, buffer, decoder, chars, options, ct))
                {
                    any = true;
                    yield return e;
                }
                if (!running && !any) yield break;
                if (!any) await Task.Delay(100, ct);
            }
        }
        finally
        {
            if (file is not null) await file.DisposeAsync();
        }
    }

    /// <summary>The complete lines from the file's position to its current end (a partial last line waits).</summary>
    private static async IAsyncEnumerable<Entry> Lines(FileStream file, StringBuilder pending, byte[] buffer, Decoder decoder, char[] chars,
        Options options, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        while (true)
        {
            int n = await file.ReadAsync(buffer, ct);
            if (n == 0) yield break;
            int c = decoder.GetChars(buffer, 0, n, chars, 0);
            int start = 0;
            for (int i = 0; i < c; i++)
            {
                if (chars[i] != '\n') continue;
                pending.Append(chars, start, i - start);
                start = i + 1;
                var line = pending.ToString();
                pending.Clear();
                if (Parse(line) is { } e && Wanted(e, options)) yield return e;
            }
            pending.Append(chars, start, c - start);
        }
    }

    private static bool Wanted(Entry e, Options o) =>
        (e.Stderr ? o.Stderr : o.Stdout) && (o.Since is not { } since || e.Time >= since) && (o.Until is not { } until || e.Time <= until);

    private static Entry? Parse(string line)
    {
        if (line.Length == 0) return null;
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var text = root.TryGetProperty("log", out var l) ? l.GetString() ?? "" : "";
            var stream = root.TryGetProperty("stream", out var s) ? s.GetString() : "stdout";
            var raw = root.TryGetProperty("time", out var t) ? t.GetString() ?? "" : "";
            var time = DateTime.TryParse(raw, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : DateTime.MinValue;
            return new Entry(stream == "stderr", text, time, raw);
        }
        catch (JsonException) { return null; /* a torn line (a full disk): skipped, as docker skips it */ }
    }

    /// <summary>Docker's since/until: seconds since the epoch with an optional fraction ("1700000000.5"), or RFC 3339.</summary>
    public static DateTime? ParseTime(string? value, string field)
    {
        if (string.IsNullOrEmpty(value) || value == "0") return null;
        if (decimal.TryParse(value, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            return DateTime.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
        if (DateTime.TryParse(value, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var t))
            return t;
        throw DockerErrors.BadRequest($"invalid value for \"{field}\": {value}", field);
    }
}
