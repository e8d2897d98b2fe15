using System.Diagnostics;
using System.Threading.Channels;
using Carton.Docker.Models;
using Carton.Images;
using Carton.Images.Registry;

namespace Carton.Docker;

/// <summary>
/// The progress of a pull as Docker's JSON message stream: "Pulling from REPO", then per layer (id: its 12 hex
/// digits) "Pulling fs layer", "Downloading" with progressDetail, "Verifying Checksum", "Download complete" or
/// "Already exists", "Pull complete"; then "Digest: ..." and "Status: ...". The puller reports from several
/// downloads at once: reports go through a channel and one writer puts them on the wire in order. The response
/// starts with the first message, so a pull that fails before any progress (an unknown repository, refused
/// credentials) is still answered with a plain error status.
/// </summary>
internal sealed class PullStream : IProgress<PullProgress>
{
    // a layer's "Downloading" line at most this often: a fast local pull reports every 64 KiB
    private static readonly long MinInterval = Stopwatch.Frequency / 10;

    private readonly JsonMessageStream _out;
    private readonly ImageReference _image;
    private readonly Channel<PullProgress> _reports = Channel.CreateUnbounded<PullProgress>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<Digest, long> _lastDownloading = [];
    private readonly List<Digest> _downloaded = [];
    private readonly Task _writer;

    public PullStream(HttpContext ctx, ImageReference image)
    {
        _out = new JsonMessageStream(ctx);
        _image = image;
        _writer = Task.Run(WriteReportsAsync);
    }

    /// <summary>True once the response has started (errors must then go in the stream).</summary>
    public bool Started => _out.Started;

    /// <summary>True when some layer was downloaded (not all already in the store).</summary>
    public bool DownloadedAny => _downloaded.Count > 0;

    public void Report(PullProgress value) => _reports.Writer.TryWrite(value);

    /// <summary>Waits until every report so far is on the wire.</summary>
    public async Task DrainAsync()
    {
        _reports.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    /// <summary>The closing lines of a successful pull.</summary>
    public async Task FinishAsync(string digest, bool upToDate)
    {
        await DrainAsync().ConfigureAwait(false);
        foreach (var layer in _downloaded) await WriteAsync(new JsonMessage { Status = "Pull complete", Id = Short(layer) }).ConfigureAwait(false);
        await WriteAsync(new JsonMessage { Status = "Digest: " + digest }).ConfigureAwait(false);
        var familiar = ImageCatalog.Familiar(_image.ToString());
        await WriteAsync(new JsonMessage { Status = upToDate ? $"Status: Image is up to date for {familiar}" : $"Status: Downloaded newer image for {familiar}" }).ConfigureAwait(false);
    }

    /// <summary>An error after the stream started: Docker's errorDetail message, which the CLIs print and fail on.</summary>
    public async Task FailAsync(string message)
    {
        await DrainAsync().ConfigureAwait(false);
        await _out.FailAsync(message).ConfigureAwait(false);
    }

    private async Task WriteReportsAsync()
    {
        try
        {
            await foreach (var p in _reports.Reader.ReadAllAsync().ConfigureAwait(false))
                if (Translate(p) is { } message) await WriteAsync(message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // the client left: the pull itself is cancelled through RequestAborted
        }
    }

    private JsonMessage? Translate(PullProgress p)
    {
        // the config is a blob of the pull too, but Docker shows layers only
        if (p.MediaType.Contains("config", StringComparison.Ordinal)) return null;
        var id = Short(p.Digest);
        switch (p.State)
        {
            case PullState.Waiting:
                return new JsonMessage { Status = "Pulling fs layer", Id = id, ProgressDetail = new ProgressDetail() };
            case PullState.Downloading:
                long now = Stopwatch.GetTimestamp();
                if (p.BytesDone < p.Total && _lastDownloading.TryGetValue(p.Digest, out var last) && now - last < MinInterval) return null;
                _lastDownloading[p.Digest] = now;
                return new JsonMessage
                {
                    Status = "Downloading", Id = id,
                    ProgressDetail = new ProgressDetail { Current = p.BytesDone, Total = p.Total },
                    Progress = ProgressBar.Format(p.BytesDone, p.Total),
                };
            case PullState.Verifying:
                return new JsonMessage { Status = "Verifying Checksum", Id = id, ProgressDetail = new ProgressDetail() };
            case PullState.Done:
                _downloaded.Add(p.Digest);
                return new JsonMessage { Status = "Download complete", Id = id, ProgressDetail = new ProgressDetail() };
            case PullState.Exists:
                return new JsonMessage { Status = "Already exists", Id = id, ProgressDetail = new ProgressDetail() };
            default:
                return null;
        }
    }

    private async Task WriteAsync(JsonMessage message)
    {
        // dockerd's first line: "TAG: Pulling from REPOSITORY" (the repository without its registry)
        if (!_out.Started)
            await _out.WriteAsync(new JsonMessage { Status = "Pulling from " + _image.Repository, Id = _image.Tag ?? _image.Digest?.ToString() }).ConfigureAwait(false);
        await _out.WriteAsync(message).ConfigureAwait(false);
    }

    private static string Short(Digest digest) => digest.Encoded[..12];
}
