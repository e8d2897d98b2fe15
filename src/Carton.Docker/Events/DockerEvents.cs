using System.Threading.Channels;
using Carton.Docker.Models;

namespace Carton.Docker.Events;

/// <summary>
/// The Docker API's event log: every endpoint and watcher that changes a container, image, network or volume
/// publishes here; GET /events replays what it keeps and then follows. Like dockerd's, it lives in memory (a restart
/// starts it empty) and keeps the most recent <see cref="Capacity"/> events for <c>since</c>.
/// </summary>
public sealed class DockerEvents
{
    /// <summary>dockerd keeps 256 events for replay (daemon/events/events.go); Carton keeps more, as cheaply.</summary>
    public const int Capacity = 1024;

    private readonly Lock _gate = new();
    private readonly Queue<EventMessage> _recent = new();
    private readonly List<Channel<EventMessage>> _subscribers = [];
    private readonly TimeProvider _time;
    private long _lastNano;

    public DockerEvents(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <summary>Records an event and hands it to every subscriber. <paramref name="attributes"/> are the actor's (name,
    /// image, labels...); for containers, <c>from</c> is taken from the "image" attribute as dockerd does.</summary>
    public void Publish(string type, string action, string id, IReadOnlyDictionary<string, string>? attributes = null)
    {
        var now = _time.GetUtcNow();
        long nanos = (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        var message = new EventMessage
        {
            Type = type,
            Action = action,
            Actor = new EventActor { ID = id, Attributes = attributes is null ? [] : new Dictionary<string, string>(attributes) },
            Time = nanos / 1_000_000_000,
            TimeNano = nanos,
        };
        if (type is "container" or "image")
        {
            message.Status = action;
            message.Id = id;
            if (type == "container" && message.Actor.Attributes.TryGetValue("image", out var image)) message.From = image;
        }
        lock (_gate)
        {
            // nanosecond times are unique and increasing, so `since`/`until` never see two events at one instant
            if (_lastNano >= message.TimeNano)
            {
                message.TimeNano = _lastNano + 1;
                message.Time = message.TimeNano / 1_000_000_000;
            }
            _lastNano = message.TimeNano;
            _recent.Enqueue(message);
            while (_recent.Count > Capacity) _recent.Dequeue();
            // a subscriber that cannot keep up loses its oldest events, never blocks a publisher (bounded, DropOldest)
            foreach (var s in _subscribers) s.Writer.TryWrite(message);
        }
    }

    /// <summary>The events kept, oldest first, and a subscription to every later one, taken atomically (none is seen
    /// twice or missed). Dispose the subscription to end it.</summary>
    public (IReadOnlyList<EventMessage> Past, Subscription Live) Subscribe()
    {
        var channel = Channel.CreateBounded<EventMessage>(new BoundedChannelOptions(Capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate)
        {
            _subscribers.Add(channel);
            return ([.. _recent], new Subscription(this, channel));
        }
    }

    /// <summary>The number of open subscriptions (tests: a closed /events stream leaves none).</summary>
    public int SubscriberCount { get { lock (_gate) return _subscribers.Count; } }

    /// <summary>A live feed of events; <see cref="Dispose"/> ends it.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly DockerEvents _owner;
        private readonly Channel<EventMessage> _channel;

        internal Subscription(DockerEvents owner, Channel<EventMessage> channel) => (_owner, _channel) = (owner, channel);

        public ChannelReader<EventMessage> Reader => _channel.Reader;

        public void Dispose()
        {
            lock (_owner._gate) _owner._subscribers.Remove(_channel);
            _channel.Writer.TryComplete();
        }
    }
}
