using System.Threading.Channels;
using Carton.Compute;
using Carton.Windows.Hcs;

namespace Carton.Compute.Windows;

/// <summary>
/// What the Windows backend knows of one compute system, shared by every <see cref="WindowsComputeSystem"/> view of
/// it: the open HCS system (kept open so its events keep coming), the init process, the state, the exit, and the
/// event subscribers. Operations on it are serialized by <see cref="Gate"/>, as the Linux backend serializes
/// operations per id.
/// </summary>
internal sealed class WindowsSystemEntry
{
    private readonly List<Channel<ComputeSystemEvent>> _subscribers = [];
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WindowsSystemEntry(string id, HcsComputeSystem system, HcsDocuments? documents, string state, DateTime created)
    {
        Id = id;
        System = system;
        Documents = documents;
        MemoryLimitMB = HcsStatisticsMapping.MemoryLimitOf(documents?.ComputeSystem);
        State = state;
        Created = created;
        _ = WatchSystemExitAsync();
    }

    public string Id { get; }
    public HcsComputeSystem System { get; }
    /// <summary>The documents it was created from; null for a system this service opened rather than created.</summary>
    public HcsDocuments? Documents { get; }
    /// <summary>The memory limit it was created with or last updated to (HCS does not report it back); null: none known.</summary>
    public ulong? MemoryLimitMB { get; set; }
    public SemaphoreSlim Gate { get; } = new(1, 1);
    public string State { get; private set; }
    public HcsComputeProcess? Init { get; private set; }
    public DateTime Created { get; }
    public DateTime? Started { get; set; }
    public DateTime? Finished { get; private set; }
    public int? ExitCode { get; private set; }
    public bool Deleted { get; private set; }

    /// <summary>Completes with the init's exit code once the system has stopped (-1 when unknown).</summary>
    public Task<int> Exit => _exit.Task;

    public void SetState(string state)
    {
        lock (_subscribers)
        {
            if (State == state) return;
            State = state;
        }
        Publish(new ComputeSystemEvent { Type = "state", Id = Id, State = state });
    }

    /// <summary>Takes the init process and watches it: its exit stops the system, as on Linux the init's exit ends
    /// the container.</summary>
    public void AttachInit(HcsComputeProcess init)
    {
        Init = init;
        InitWatch = WatchInitExitAsync(init);
    }

    /// <summary>The watch of the init's exit, including the terminate it issues: a delete waits for it before it
    /// closes the system handle, so no operation is left running on a closed handle.</summary>
    public Task InitWatch { get; private set; } = Task.CompletedTask;

    public ChannelReader<ComputeSystemEvent> Subscribe(CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<ComputeSystemEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_subscribers)
        {
            if (Deleted) channel.Writer.TryComplete();
            else _subscribers.Add(channel);
        }
        cancellationToken.Register(() => Unsubscribe(channel));
        return channel.Reader;
    }

    public void Unsubscribe(Channel<ComputeSystemEvent> channel)
    {
        lock (_subscribers) _subscribers.Remove(channel);
        channel.Writer.TryComplete();
    }

    public void Unsubscribe(ChannelReader<ComputeSystemEvent> reader)
    {
        Channel<ComputeSystemEvent>? found;
        lock (_subscribers) found = _subscribers.FirstOrDefault(c => c.Reader == reader);
        if (found is not null) Unsubscribe(found);
    }

    public void MarkDeleted()
    {
        List<Channel<ComputeSystemEvent>> subscribers;
        lock (_subscribers)
        {
            Deleted = true;
            State = "deleted";
            subscribers = [.. _subscribers];
            _subscribers.Clear();
        }
        foreach (var c in subscribers)
        {
            c.Writer.TryWrite(new ComputeSystemEvent { Type = "state", Id = Id, State = "deleted" });
            c.Writer.TryComplete();
        }
        _exit.TrySetResult(ExitCode ?? -1);
    }

    private void Publish(ComputeSystemEvent e)
    {
        lock (_subscribers)
            foreach (var c in _subscribers) c.Writer.TryWrite(e);
    }

    private void Stopped(int code)
    {
        lock (_subscribers)
        {
            if (ExitCode is not null || Deleted) return;
            ExitCode = code;
            Finished = DateTime.UtcNow;
        }
        Publish(new ComputeSystemEvent { Type = "exit", Id = Id, ExitCode = code });
        SetState("stopped");
        _exit.TrySetResult(code);
    }

    private async Task WatchInitExitAsync(HcsComputeProcess init)
    {
        HcsProcessStatus status;
        try { status = await init.Exited.ConfigureAwait(false); }
        catch (HcsException) { return; } // the service disconnected: the system's own watch reports it
        Stopped(unchecked((int)status.ExitCode));
        // The init is gone: stop the rest of the container, as the end of a Linux container's pid namespace does.
        try { await System.TerminateAsync().ConfigureAwait(false); }
        catch (HcsException) { /* already stopped, or going: nothing more to do */ }
        catch (ObjectDisposedException) { /* deleted meanwhile */ }
    }

    private async Task WatchSystemExitAsync()
    {
        try { await System.Exited.ConfigureAwait(false); }
        catch (HcsException) { /* service disconnect: the state is unknown, the exit too */ }
        // The init's exit event may follow the system's: give it a moment, so the code is the init's.
        var init = Init;
        if (init is not null)
        {
            try
            {
                var status = await init.Exited.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                Stopped(unchecked((int)status.ExitCode));
                return;
            }
            catch (Exception e) when (e is TimeoutException or HcsException) { }
        }
        Stopped(-1);
    }
}
