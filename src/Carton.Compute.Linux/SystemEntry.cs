using System.Text.Json.Serialization;
using System.Threading.Channels;

namespace Carton.Compute.Linux;

/// <summary>What the service keeps about one compute system in memory, shared by every handle of it: the lock that
/// serializes operations, the init's reaper (when this process created it), the event subscribers, the OOM watch.</summary>
internal sealed class SystemEntry(string id)
{
    private readonly object _sync = new();
    private readonly List<Channel<ComputeSystemEvent>> _subscribers = [];
    private CancellationTokenSource? _oomCancel;
    private Task? _oomTask;

    public string Id { get; } = id;
    public SemaphoreSlim Gate { get; } = new(1, 1);
    public ChildReaper? Init { get; set; }
    public int? ExitCode { get; set; }
    public bool Deleted { get; private set; }

    private TaskCompletionSource? _recreation;
    private int _recreations;

    /// <summary>How many times a start has begun to recreate the runtime container (a reader that saw this number
    /// change during its read met that window, and reads again).</summary>
    public int Recreations => Volatile.Read(ref _recreations);

    /// <summary>Completes when no recreation is under way (at once, mostly).</summary>
    public Task RecreationDone => Volatile.Read(ref _recreation)?.Task ?? Task.CompletedTask;

    /// <summary>Marks a recreation under way until the result is disposed: for that moment the runtime container does
    /// not exist, or exists without its init, and readers wait for it instead of reporting the system missing.</summary>
    public IDisposable BeginRecreation()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _recreation, done);
        Interlocked.Increment(ref _recreations);
        return new Recreation(done);
    }

    private sealed class Recreation(TaskCompletionSource done) : IDisposable
    {
        public void Dispose() => done.TrySetResult();
    }

    public void Publish(ComputeSystemEvent e)
    {
        e.Id = Id;
        lock (_sync)
            foreach (var s in _subscribers) s.Writer.TryWrite(e);
    }

    public void PublishState(string state) => Publish(new ComputeSystemEvent { Type = "state", State = state });

    public Channel<ComputeSystemEvent> Subscribe()
    {
        var ch = Channel.CreateUnbounded<ComputeSystemEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_sync)
        {
            if (Deleted) ch.Writer.TryComplete();
            else _subscribers.Add(ch);
        }
        return ch;
    }

    public void Unsubscribe(Channel<ComputeSystemEvent> ch)
    {
        lock (_sync) _subscribers.Remove(ch);
        ch.Writer.TryComplete();
    }

    /// <summary>Watches the system's memory cgroup and publishes an "oom" event for each OOM kill.</summary>
    public void WatchOom(Carton.Linux.Cgroups.Stats.CgroupOomWatcher watcher)
    {
        var cts = new CancellationTokenSource();
        _oomCancel = cts;
        _oomTask = Task.Run(async () =>
        {
            try
            {
                await foreach (var _ in watcher.WatchAsync(cts.Token).ConfigureAwait(false))
                    Publish(new ComputeSystemEvent { Type = "oom" });
            }
            catch (OperationCanceledException) { }
            catch (Carton.Linux.Cgroups.CgroupException) { }
            finally { watcher.Dispose(); }
        });
    }

    public async Task StopOomAsync()
    {
        if (_oomCancel is null) return;
        await _oomCancel.CancelAsync().ConfigureAwait(false);
        try { await _oomTask!.ConfigureAwait(false); } catch (OperationCanceledException) { }
        _oomCancel.Dispose();
        _oomCancel = null;
    }

    /// <summary>The system is gone: every event stream ends.</summary>
    public void MarkDeleted()
    {
        lock (_sync)
        {
            Deleted = true;
            foreach (var s in _subscribers) s.Writer.TryComplete();
            _subscribers.Clear();
        }
    }
}

/// <summary>What the service records next to a system's scratch layer (compute.json), for later opens.</summary>
internal sealed class ComputeRecord
{
    [JsonPropertyName("owner")] public string Owner { get; set; } = "";
    [JsonPropertyName("overlay")] public string? OverlayMountPoint { get; set; }
    /// <summary>The image store of a system made from an image: its active snapshot lives there.</summary>
    [JsonPropertyName("imageRoot")] public string? ImageRoot { get; set; }
    /// <summary>The image's name (for inspect and the logs).</summary>
    [JsonPropertyName("image")] public string? Image { get; set; }
    /// <summary>The image's id (its config's digest), reported in the summary.</summary>
    [JsonPropertyName("imageId")] public string? ImageId { get; set; }
    [JsonPropertyName("warnings")] public List<string> Warnings { get; set; } = [];
    [JsonPropertyName("stdout")] public string? StdoutPath { get; set; }
    [JsonPropertyName("stderr")] public string? StderrPath { get; set; }
    /// <summary>Where the system's monitor records the init's exit status (null when created without a monitor).</summary>
    [JsonPropertyName("exitFile")] public string? ExitFile { get; set; }
    [JsonPropertyName("initPid")] public int InitPid { get; set; }
    /// <summary>The monitor that creates and watches the init (0 without one), and its start time: a scratch
    /// directory without runtime state is a create under way while this process lives (<see cref="OrphanScratch"/>).</summary>
    [JsonPropertyName("monitorPid")] public int MonitorPid { get; set; }
    [JsonPropertyName("monitorStartTime")] public ulong MonitorStartTime { get; set; }
    [JsonPropertyName("initStartTime")] public ulong InitStartTime { get; set; }
    /// <summary>The init is carton's idle init (an HCS document without InitProcess); kept to create it again.</summary>
    [JsonPropertyName("idle")] public bool Idle { get; set; }
    /// <summary>The monitor relays the init's stdio (the document's initIo), or null.</summary>
    [JsonPropertyName("io")] public InitIoRequest? Io { get; set; }
    /// <summary>When the system was last started.</summary>
    [JsonPropertyName("started")] public DateTime? Started { get; set; }
    /// <summary>The network service namespace the system is in (issue 12), or null.</summary>
    [JsonPropertyName("networkNamespace")] public string? NetworkNamespace { get; set; }
    /// <summary>True when the namespace was made for the system (deleted with it); false when it joined one.</summary>
    [JsonPropertyName("ownsNamespace")] public bool OwnsNamespace { get; set; }
    /// <summary>Endpoints made for the system (deleted with it).</summary>
    [JsonPropertyName("ownedEndpoints")] public List<string>? OwnedEndpoints { get; set; }
    /// <summary>Endpoints the caller made and the system attached (detached when it is deleted).</summary>
    [JsonPropertyName("attachedEndpoints")] public List<string>? AttachedEndpoints { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ComputeRecord))]
internal sealed partial class ComputeStateJsonContext : JsonSerializerContext;
