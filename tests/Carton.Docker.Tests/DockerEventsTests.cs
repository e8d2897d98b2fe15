using Carton.Docker.Events;
using Carton.Docker.Models;
using Microsoft.AspNetCore.Http;

namespace Carton.Docker.Tests;

/// <summary>The event log and dockerd's filter rules, without a daemon.</summary>
public sealed class DockerEventsTests
{
    private static EventFilter Filter(string json)
    {
        var ctx = new DefaultHttpContext();
        ctx.Request.QueryString = QueryString.Create("filters", json);
        return EventFilter.Parse(ctx);
    }

    private static EventMessage Event(string type, string action, string id, params (string, string)[] attributes)
    {
        var log = new DockerEvents();
        log.Publish(type, action, id, attributes.ToDictionary(a => a.Item1, a => a.Item2));
        return log.Subscribe().Past[0];
    }

    [Fact]
    public void TheLog_KeepsTheLast1024_InStrictlyIncreasingTime()
    {
        var log = new DockerEvents();
        for (int i = 0; i < DockerEvents.Capacity + 100; i++) log.Publish("container", "start", $"id{i}");
        var (past, live) = log.Subscribe();
        using (live)
        {
            Assert.Equal(DockerEvents.Capacity, past.Count);
            Assert.Equal("id100", past[0].Actor.ID);
            for (int i = 1; i < past.Count; i++) Assert.True(past[i].TimeNano > past[i - 1].TimeNano);
        }
    }

    [Fact]
    public async Task ASubscription_SeesOnlyLaterEvents_AndEndsWhenDisposed()
    {
        var log = new DockerEvents();
        log.Publish("network", "create", "before");
        var (past, live) = log.Subscribe();
        Assert.Single(past);
        log.Publish("network", "destroy", "after");
        Assert.True(await live.Reader.WaitToReadAsync());
        Assert.True(live.Reader.TryRead(out var e));
        Assert.Equal("after", e.Actor.ID);
        Assert.Equal(1, log.SubscriberCount);
        live.Dispose();
        Assert.Equal(0, log.SubscriberCount);
        Assert.False(await live.Reader.WaitToReadAsync());
    }

    [Fact]
    public void ContainerAndImageEvents_CarryTheLegacyFields()
    {
        var c = Event("container", "start", "abc", ("image", "busybox"), ("name", "web"));
        Assert.Equal(("start", "abc", "busybox"), (c.Status, c.Id, c.From));
        var n = Event("network", "create", "n1", ("name", "net"));
        Assert.Null(n.Status);
    }

    [Fact]
    public void Filters_MatchAsDockerdDoes()
    {
        var start = Event("container", "start", "0123456789ab", ("name", "web"), ("image", "127.0.0.1:5000/busybox:1"), ("tier", "front"));
        var health = Event("container", "health_status: healthy", "0123456789ab", ("name", "web"));
        var network = Event("network", "connect", "n1", ("name", "web"), ("container", "0123456789ab"));

        Assert.True(Filter("""{"container":["0123"]}""").Includes(start));   // id prefix
        Assert.True(Filter("""{"container":["web"]}""").Includes(start));    // name
        Assert.False(Filter("""{"container":["db"]}""").Includes(start));
        Assert.False(Filter("""{"container":["web"]}""").Includes(network)); // only container events
        Assert.True(Filter("""{"network":["web"]}""").Includes(network));
        Assert.True(Filter("""{"type":["container"],"event":["start","die"]}""").Includes(start));
        Assert.False(Filter("""{"type":["network"]}""").Includes(start));
        Assert.True(Filter("""{"event":["health_status"]}""").Includes(health));
        Assert.False(Filter("""{"event":["health"]}""").Includes(health));
        Assert.True(Filter("""{"image":["127.0.0.1:5000/busybox"]}""").Includes(start));
        Assert.True(Filter("""{"image":["127.0.0.1:5000/busybox:1"]}""").Includes(start));
        Assert.False(Filter("""{"image":["busybox"]}""").Includes(start));
        Assert.True(Filter("""{"label":["tier"]}""").Includes(start));
        Assert.True(Filter("""{"label":["tier=front"]}""").Includes(start));
        Assert.False(Filter("""{"label":["tier=back"]}""").Includes(start));
    }

    [Theory]
    [InlineData("1700000000", 1_700_000_000_000_000_000)]
    [InlineData("1700000000.5", 1_700_000_000_500_000_000)]
    [InlineData("1700000000.000000001", 1_700_000_000_000_000_001)]
    [InlineData("2023-11-14T22:13:20Z", 1_700_000_000_000_000_000)]
    public void SinceAndUntil_AreReadToTheNanosecond(string value, long nanos) =>
        Assert.Equal(nanos, EventEndpoints.ParseNanos(value, "since"));

    [Theory]
    [InlineData("yesterday")]
    [InlineData("1.2.3")]
    [InlineData("1700000000.1234567890")]
    public void BadTimes_AreRefused(string value) =>
        Assert.Throws<CartonException>(() => EventEndpoints.ParseNanos(value, "since"));
}
