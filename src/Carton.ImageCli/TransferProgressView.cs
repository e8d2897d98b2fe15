using Carton.Images.Registry;

namespace Carton.ImageCli;

/// <summary>
/// What a pull or a push shows while it runs. On a terminal: one line per blob, redrawn in place, with a bar, bytes,
/// rate and state. Otherwise (a pipe, a log, CI): one line per blob event (waiting, downloading or uploading,
/// verifying, done, exists, mounted) and never a line per chunk. Reports arrive from several transfer tasks at once:
/// one lock orders them.
/// </summary>
public sealed class TransferProgressView : IProgress<PullProgress>, IProgress<PushProgress>
{
    /// <summary>One blob's last report, whichever direction: the state as words, and whether bytes are moving.</summary>
    private sealed record Line(long BytesDone, long Total, string State, bool Moving, bool Complete, string MediaType, string? Suffix);

    private readonly object _gate = new();
    private readonly TextWriter _out;
    private readonly bool _terminal;
    private readonly List<Digest> _order = [];
    private readonly Dictionary<Digest, (Line Last, DateTime Started)> _blobs = [];
    private int _drawnLines;
    private DateTime _lastDraw;

    public TransferProgressView(TextWriter output, bool terminal)
    {
        _out = output;
        _terminal = terminal;
    }

    public void Report(PullProgress value) => Report(value.Digest, new Line(value.BytesDone, value.Total, value.State switch
    {
        PullState.Waiting => "waiting",
        PullState.Downloading => "downloading",
        PullState.Verifying => "verifying",
        PullState.Done => "done",
        PullState.Exists => "already in the store",
        _ => value.State.ToString(),
    }, value.State == PullState.Downloading, value.State is PullState.Done or PullState.Exists or PullState.Verifying, value.MediaType, null));

    public void Report(PushProgress value) => Report(value.Digest, new Line(value.BytesDone, value.Total, value.State switch
    {
        PushState.Waiting => "waiting",
        PushState.Uploading => "uploading",
        PushState.Done => "pushed",
        PushState.Exists => "already at the registry",
        PushState.Mounted => "mounted",
        _ => value.State.ToString(),
    }, value.State == PushState.Uploading, value.State is PushState.Done or PushState.Exists or PushState.Mounted, value.MediaType,
        value.From is null ? null : $"from {value.From}"));

    private void Report(Digest digest, Line value)
    {
        lock (_gate)
        {
            bool known = _blobs.TryGetValue(digest, out var previous);
            if (!known) _order.Add(digest);
            var started = known ? previous.Started : DateTime.UtcNow;
            if (known && !previous.Last.Moving && value.Moving) started = DateTime.UtcNow;
            _blobs[digest] = (value, started);
            if (_terminal)
            {
                // Redraw at most ten times a second, and always on a change of state.
                if (known && previous.Last.State == value.State && DateTime.UtcNow - _lastDraw < TimeSpan.FromMilliseconds(100)) return;
                Draw();
            }
            else if (!known || previous.Last.State != value.State)
            {
                _out.WriteLine($"{Short(digest)}: {Describe(value, started)}");
            }
        }
    }

    /// <summary>Draws the last state of every blob (the terminal view's final frame).</summary>
    public void Finish()
    {
        lock (_gate)
        {
            if (_terminal) Draw();
        }
    }

    private void Draw()
    {
        _lastDraw = DateTime.UtcNow;
        if (_drawnLines > 0) _out.Write($"\u001b[{_drawnLines}A");
        foreach (var d in _order)
        {
            var (p, started) = _blobs[d];
            _out.Write($"\r\u001b[2K{Short(d)}: {Bar(p)} {Describe(p, started)}\n");
        }
        _drawnLines = _order.Count;
        _out.Flush();
    }

    private static string Short(Digest d) => d.Encoded[..12];

    private static string Bar(Line p)
    {
        const int width = 24;
        double fraction = p.Complete ? 1 : p.Total > 0 ? Math.Min(1, (double)p.BytesDone / p.Total) : 0;
        int filled = (int)(fraction * width);
        return "[" + new string('=', filled) + (filled < width ? ">" + new string(' ', width - filled - 1) : "") + "]";
    }

    private static string Describe(Line p, DateTime started)
    {
        var kind = p.MediaType.Contains("config", StringComparison.Ordinal) ? "config" : "layer";
        var text = p.Moving ? $"{kind} {p.State} {Size(p.BytesDone)}/{Size(p.Total)} {Rate(p.BytesDone, started)}"
            : p.State is "waiting" or "already in the store" or "already at the registry" ? $"{kind} {p.State}"
            : $"{kind} {p.State} {Size(p.Total)}";
        return p.Suffix is null ? text.TrimEnd() : $"{text} {p.Suffix}";
    }

    private static string Rate(long bytes, DateTime started)
    {
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        return seconds <= 0.05 ? "" : $"({Size((long)(bytes / seconds))}/s)";
    }

    /// <summary>A byte count the way people read them (KiB, MiB, GiB).</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        < 1024L * 1024 * 1024 => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        _ => (bytes / 1073741824.0).ToString("0.00", CultureInfo.InvariantCulture) + " GiB",
    };
}
