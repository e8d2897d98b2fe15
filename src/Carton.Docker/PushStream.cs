using System.Diagnostics;
using System.Threading.Channels;
using Carton.Docker.Models;
using Carton.Images;
using Carton.Images.Registry;

namespace Carton.Docker;

/// <summary>
/// The progress of a push as dockerd's JSON messages (distribution/push_v2.go, xfer/upload.go): per layer (id: its
/// 12 hex digits) "Preparing", "Pushing" with progressDetail, then "Pushed", "Layer already exists" or "Mounted from
/// REPO". The config is pushed too but, as dockerd, not shown. The pusher reports from several uploads at once:
/// reports go through a channel and one writer puts them on the wire in order.
/// </summary>
internal sealed class PushStream : IProgress<PushProgress>
{
    // a layer's "Pushing" line at most this often
    private static readonly long MinInterval = Stopwatch.Frequency / 10;

    private readonly JsonMessageStream _out;
    private readonly Channel<PushProgress> _reports = Channel.CreateUnbounded<PushProgress>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<Digest, long> _lastPushing = [];
    private Task? _writer;

    public PushStream(JsonMessageStream output) => _out = output;

    /// <summary>Starts putting reports on the wire (after the caller's first lines).</summary>
    public void Start() => _writer = Task.Run(WriteReportsAsync);

    public void Report(PushProgress value) => _reports.Writer.TryWrite(value);

    /// <summary>Waits until every report so far is on the wire; the stream takes no more.</summary>
    public async Task DrainAsync()
    {
        _reports.Writer.TryComplete();
        if (_writer is not null) await _writer.ConfigureAwait(false);
    }

    private async Task WriteReportsAsync()
    {
        try
        {
            await foreach (var p in _reports.Reader.ReadAllAsync().ConfigureAwait(false))
                if (Translate(p) is { } message) await _out.WriteAsync(message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // the client left: the push itself is cancelled through RequestAborted
        }
    }

    private JsonMessage? Translate(PushProgress p)
    {
        if (p.MediaType.Contains("config", StringComparison.Ordinal)) return null;
        var id = p.Digest.Encoded[..12];
        switch (p.State)
        {
            case PushState.Waiting:
                return new JsonMessage { Status = "Preparing", Id = id, ProgressDetail = new ProgressDetail() };
            case PushState.Uploading:
                long now = Stopwatch.GetTimestamp();
                if (p.BytesDone < p.Total && _lastPushing.TryGetValue(p.Digest, out var last) && now - last < MinInterval) return null;
                _lastPushing[p.Digest] = now;
                return new JsonMessage
                {
                    Status = "Pushing", Id = id,
                    ProgressDetail = new ProgressDetail { Current = p.BytesDone, Total = p.Total },
                    Progress = ProgressBar.Format(p.BytesDone, p.Total),
                };
            case PushState.Done:
                return new JsonMessage { Status = "Pushed", Id = id, ProgressDetail = new ProgressDetail() };
            case PushState.Exists:
                return new JsonMessage { Status = "Layer already exists", Id = id, ProgressDetail = new ProgressDetail() };
            case PushState.Mounted:
                return new JsonMessage { Status = $"Mounted from {p.From}", Id = id, ProgressDetail = new ProgressDetail() };
            default:
                return null;
        }
    }
}
