using System.Text;
using System.Text.Json;

namespace Carton.Docker;

/// <summary>
/// Reads a container's json-file log (written by its monitor: one JSON object per line, {"log", "stream", "time"},
/// rotated by size into path.1, path.2 ...: <see cref="RotatedLogFiles"/>) the way `docker logs` wants it: per
/// stream, since/until, the last N lines, across the rotated files, optionally following the log as the container
/// writes it and through its rotations.
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
        /// <summary>Read from this place (taken earlier with <see cref="MarkEnd"/>) instead of the log's start; the
        /// read takes the mark over.</summary>
        public Mark? From { get; init; }
    }

    /// <summary>A place in the log that a rotation does not move: the file it is in is held open, so once that file
    /// is renamed or unlinked the reader still starts at the right byte and goes on to the files after it.</summary>
    public sealed class Mark(FileStream file, long offset) : IDisposable
    {
        internal FileStream File { get; } = file;
        internal long Offset { get; } = offset;
        public void Dispose() => File.Dispose();
    }

    /// <summary>The log's current end: where the next line will start; null when there is no log yet (then a read
    /// from the start is the same).</summary>
    public static Mark? MarkEnd(string path)
    {
        try
        {
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous);
            return new Mark(file, file.Length);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
    }

    /// <summary>The entries of the log at <paramref name="path"/> and its rotated files (oldest first); with Follow,
    /// waits for more, through rotations, until <paramref name="stillRunning"/> says the writer is gone (and the rest
    /// is read) or the token cancels.</summary>
    public static async IAsyncEnumerable<Entry> ReadAsync(string path, Options options, Func<Task<bool>> stillRunning,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        List<FileStream> files;
        if (options.From is { } mark)
        {
            mark.File.Seek(mark.Offset, SeekOrigin.Begin);
            files = [mark.File, .. RotatedLogFiles.OpenAfter(path, mark.File)];
        }
        else files = RotatedLogFiles.OpenAll(path);
        try
        {
            if (files.Count == 0) yield break;
            var reader = new LineReader(options);

            // what exists now, file after file; all but the last are complete (the monitor writes only the current one)
            if (options.Tail is { } tail)
            {
                // the tail is taken over what exists now; following then goes on from the end
                var last = new Queue<Entry>();
                foreach (var file in files)
                {
                    if (tail > 0)
                    {
                        await foreach (var e in reader.Lines(file, ct))
                        {
                            last.Enqueue(e);
                            if (last.Count > tail) last.Dequeue();
                        }
                    }
                    else file.Seek(0, SeekOrigin.End);
                    if (file != files[^1]) reader.Reset();
                }
                foreach (var e in last) yield return e;
            }
            else
            {
                foreach (var file in files)
                {
                    await foreach (var e in reader.Lines(file, ct)) yield return e;
                    if (file != files[^1]) reader.Reset();
                }
            }
            if (!options.Follow) yield break;
            var current = files[^1];
            while (true)
            {
                bool running = await stillRunning();
                bool any = false;
                await foreach (var e in reader.Lines(current, ct))
                {
                    any = true;
                    yield return e;
                }
                if (!any && RotatedLogFiles.OpenAfter(path, current) is { Count: > 0 } next)
                {
                    // rotated away (as dockerd's follower sees the rename): the old file is complete once renamed, so
                    // its rest is read, then the files written since, and the new current one is followed
                    files.AddRange(next);
                    await foreach (var e in reader.Lines(current, ct)) yield return e;
                    reader.Reset();
                    foreach (var file in next[..^1])
                    {
                        await foreach (var e in reader.Lines(file, ct)) yield return e;
                        reader.Reset();
                    }
                    current = next[^1];
                    continue;
                }
                if (!running && !any) yield break;
                if (!any) await Task.Delay(100, ct);
            }
        }
        finally
        {
            foreach (var file in files) await file.DisposeAsync();
        }
    }

    /// <summary>Decodes one file's bytes into entries: the complete lines from the file's position to its current end
    /// (a partial last line waits for the rest; at a change of file it is dropped: the monitor never splits a line
    /// across files, so only a torn write leaves one).</summary>
    private sealed class LineReader(Options options)
    {
        private readonly StringBuilder _pending = new();
        private readonly byte[] _buffer = new byte[64 * 1024];
        private readonly char[] _chars = new char[Encoding.UTF8.GetMaxCharCount(64 * 1024)];
        private Decoder _decoder = Encoding.UTF8.GetDecoder();

        public void Reset()
        {
            _pending.Clear();
            _decoder = Encoding.UTF8.GetDecoder();
        }

        public async IAsyncEnumerable<Entry> Lines(FileStream file, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            while (true)
            {
                int n = await file.ReadAsync(_buffer, ct);
                if (n == 0) yield break;
                int c = _decoder.GetChars(_buffer, 0, n, _chars, 0);
                int start = 0;
                for (int i = 0; i < c; i++)
                {
                    if (_chars[i] != '\n') continue;
                    _pending.Append(_chars, start, i - start);
                    start = i + 1;
                    var line = _pending.ToString();
                    _pending.Clear();
                    if (Parse(line) is { } e && Wanted(e, options)) yield return e;
                }
                _pending.Append(_chars, start, c - start);
            }
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
