using System.Diagnostics;
using System.Globalization;

namespace Carton.Docker.Tests;

/// <summary>
/// GET /events through the real docker CLIs: a container's life replayed with --since/--until in order, the filters
/// (container, event, type, image), the live stream (a `docker events` left running sees what happens after it
/// started), and bad input.
/// </summary>
[Collection("docker")]
public sealed class DockerEventsCliTests(DockerFixture fixture) : DockerCliTestBase(fixture)
{
    // index, not .Actor.Attributes.exitCode: a missing key prints "<no value>" in Go's templates, index an empty string
    private const string Line = "{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{index .Actor.Attributes \"exitCode\"}}";

    private static string Now() => (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0).ToString("F3", CultureInfo.InvariantCulture);

    private static string[] Lines(string output) => [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd())];

    [DockerTheory, CliData(Debian), CliData(New)]
    public void Since_And_Until_ReplayAContainersLife_InOrder_AndTheFiltersSelect(string cli)
    {
        var image = Image();
        var name = Unique("ev");
        var since = Now();
        try
        {
            var run = fx.Docker(cli, "run", "--rm", "--name", name, "--label", "suite=events", image, "sh", "-c", "exit 3");
            Assert.Equal(3, run.Exit);
            Thread.Sleep(50);
            var until = Now();

            var life = Lines(Ok(cli, "events", "--since", since, "--until", until, "--filter", $"container={name}", "--format", Line));
            string[] expected = [$"container create {name}", $"container attach {name}", $"container start {name}", $"container die {name} 3", $"container destroy {name}"];
            Assert.Equal(expected, life.Where(l => !l.Contains("resize", StringComparison.Ordinal)).ToArray());

            Assert.Equal([$"container die {name} 3"], Lines(Ok(cli, "events", "--since", since, "--until", until,
                "--filter", $"container={name}", "--filter", "event=die", "--format", Line)));
            // a label of the container is an attribute of its events
            Assert.Contains($"container die {name} 3", Lines(Ok(cli, "events", "--since", since, "--until", until,
                "--filter", "label=suite=events", "--format", Line)));
            Assert.Empty(Lines(Ok(cli, "events", "--since", since, "--until", until, "--filter", $"container={name}", "--filter", "type=network", "--format", Line)));
            // and none before since
            Assert.Empty(Lines(Ok(cli, "events", "--since", until, "--until", Now(), "--filter", $"container={name}", "--format", Line)));
        }
        finally
        {
            Remove(name);
        }
    }

    [DockerFact]
    public void ImageAndNetworkEvents_AreRecorded()
    {
        var since = Now();
        var image = Image();
        var tag = $"{fx.BusyboxRepository}:{Unique("t")}";
        var net = Unique("evnet");
        try
        {
            Ok(Debian, "tag", image, tag);
            Ok(Debian, "network", "create", net);
            Ok(Debian, "network", "rm", net);
            Ok(Debian, "rmi", tag);
            var until = Now();
            var images = Lines(Ok(New, "events", "--since", since, "--until", until, "--filter", "type=image", "--format", "{{.Action}} {{.Actor.Attributes.name}}"));
            Assert.Contains($"pull {image}", images);
            Assert.Contains($"tag {tag}", images);
            Assert.Contains($"untag {tag}", images);
            var networks = Lines(Ok(New, "events", "--since", since, "--until", until, "--filter", $"network={net}", "--format", "{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.type}}"));
            Assert.Equal([$"create {net} bridge", $"destroy {net} bridge"], networks);
            // the image filter matches the name with or without its tag
            Assert.Contains(Lines(Ok(New, "events", "--since", since, "--until", until, "--filter", $"image={fx.BusyboxRepository}", "--format", "{{.Action}}")), l => l == "pull");
        }
        finally
        {
            fx.Docker(Debian, "rmi", tag);
            fx.Docker(Debian, "network", "rm", net);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public async Task ALiveStream_SeesWhatHappensAfterItStarted(string cli)
    {
        var image = Image();
        var name = Unique("live");
        var probe = Unique("probe");
        using var events = fx.DockerStreaming(cli, "events", "--format", Line);
        var seen = new List<string>();
        var reader = Task.Run(async () =>
        {
            while (await events.StandardOutput.ReadLineAsync() is { } line) lock (seen) seen.Add(line.TrimEnd());
        });
        bool Saw(string line) { lock (seen) return seen.Contains(line); }
        try
        {
            // no --since: only what comes after the subscription. Until it is in place, a network made and removed
            // shows whether it is (a network event, unrelated to what is tested below)
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!Saw($"network create {probe}"))
            {
                if (DateTime.UtcNow > deadline) Assert.Fail("docker events showed nothing within 30 s");
                Ok(Debian, "network", "create", probe);
                Ok(Debian, "network", "rm", probe);
                Thread.Sleep(200);
            }
            Assert.Equal(3, fx.Docker(Debian, "run", "--rm", "--name", name, image, "sh", "-c", "exit 3").Exit);
            Eventually(() => Saw($"container destroy {name}"), "the destroy event on the live stream", 30);
            string[] order;
            lock (seen) order = [.. seen.Where(l => l.Contains(name, StringComparison.Ordinal) && !l.Contains("resize", StringComparison.Ordinal))];
            Assert.Equal([$"container create {name}", $"container attach {name}", $"container start {name}", $"container die {name} 3", $"container destroy {name}"], order);
        }
        finally
        {
            if (!events.HasExited) events.Kill(entireProcessTree: true);
            await events.WaitForExitAsync();
            await reader;
            Remove(name);
            fx.Docker(Debian, "network", "rm", probe);
        }
    }

    [DockerFact]
    public async Task BadInput_IsA400_NamingWhatIsWrong()
    {
        var bad = await fx.RawAsync("GET /v1.44/events?since=yesterday HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", bad);
        Assert.Contains("since", bad);
        var type = await fx.RawAsync("GET /v1.44/events?filters=%7B%22type%22%3A%5B%22bogus%22%5D%7D HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", type);
        Assert.Contains("type=bogus", type);
        var order = await fx.RawAsync("GET /v1.44/events?since=200&until=100 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", order);
        var key = await fx.RawAsync("GET /v1.44/events?filters=%7B%22colour%22%3A%5B%22red%22%5D%7D HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", key);
        Assert.Contains("colour", key);
    }
}
