using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Carton.Docker.Tests;

/// <summary>
/// Bad input and misbehaving clients on the Docker socket, spoken to directly: each invalid create is answered with
/// the status and a message naming the field, and leaves nothing behind (no record, no compute system, no mount);
/// unknown fields are ignored; bodies and headers are limited; clients that leave mid-stream leak no fd or process.
/// Containers here use NetworkMode none: nothing is attached to a bridge.
/// </summary>
[Collection("docker")]
public sealed class DockerBadInputTests(DockerFixture fx)
{
    private static string Body(string response) => response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];

    private Task<string> Send(string method, string path, string? json = null)
    {
        var body = json is null ? "" : json;
        var head = $"{method} {path} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n"
                   + (json is null ? "" : $"Content-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n") + "\r\n";
        return fx.RawAsync(head + body);
    }

    private async Task<string> ImageAsync()
    {
        var r = await Send("POST", $"/v1.44/images/create?fromImage={Uri.EscapeDataString(fx.BusyboxRepository)}&tag=latest");
        Assert.StartsWith("HTTP/1.1 200", r);
        return fx.BusyboxRepository + ":latest";
    }

    /// <summary>What a failed request must not leave: Docker records, compute systems, mounts under the fixture's directory.</summary>
    private async Task<string> SnapshotAsync()
    {
        var sb = new StringBuilder();
        var records = Path.Combine(fx.Dir, "docker", "containers");
        if (Directory.Exists(records)) foreach (var d in Directory.EnumerateDirectories(records).Order()) sb.AppendLine("record " + d);
        var ids = new List<string>();
        await foreach (var s in fx.Client.EnumerateComputeSystemsAsync()) ids.Add(s.Id);
        foreach (var id in ids.Order()) sb.AppendLine("system " + id);
        foreach (var line in File.ReadLines("/proc/self/mountinfo").Where(l => l.Contains(fx.Dir, StringComparison.Ordinal) && !l.Contains("netns", StringComparison.Ordinal)))
            sb.AppendLine("mount " + line.Split(' ')[4]);
        return sb.ToString();
    }

    private async Task<string> CreateAsync(string json, string? name = null)
    {
        var r = await Send("POST", "/v1.44/containers/create" + (name is null ? "" : "?name=" + Uri.EscapeDataString(name)), json);
        return r;
    }

    private async Task RemoveAsync(string id) => await Send("DELETE", $"/v1.44/containers/{id}?force=1");

    private static string IdOf(string response) => JsonDocument.Parse(Body(response)).RootElement.GetProperty("Id").GetString()!;

    [DockerFact]
    public async Task Invalid_creates_are_answered_naming_the_field_and_leave_nothing()
    {
        var image = await ImageAsync();
        var before = await SnapshotAsync();
        var cases = new (string Json, string? Name, string Status, string Message)[]
        {
            ("""{"Image": 5}""", null, "400", "Image"),
            ($$$"""{"Image": "{{{image}}}", "HostConfig": {"Memory": "lots"}}""", null, "400", "HostConfig.Memory"),
            ($$$"""{"Image": "{{{image}}}", "Cmd": [1]}""", null, "400", "Cmd"),
            ($$$$"""{"Image": "{{{{image}}}}", "HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "eighty"}]}}}""", null, "400", "invalid port specification"),
            ($$$$"""{"Image": "{{{{image}}}}", "HostConfig": {"PortBindings": {"99999/tcp": [{}]}}}""", null, "400", "invalid port specification: \"99999/tcp\""),
            ($$$"""{"Image": "{{{image}}}", "HostConfig": {"CapAdd": ["CAP_NOPE"]}}""", null, "400", "unknown capability: \"CAP_NOPE\""),
            ($$$"""{"Image": "{{{image}}}", "HostConfig": {"Binds": ["b@d:/x"]}}""", null, "400", "invalid HostConfig.Binds[0]: \"b@d\" includes invalid characters"),
            ($$$"""{"Image": "{{{image}}}", "HostConfig": {"Mounts": [{"Type": "bind", "Source": "/no/such/dir", "Target": "/x"}]}}""", null, "400", "bind source path does not exist: /no/such/dir"),
            ($$$"""{"Image": "{{{image}}}", "HostConfig": {"NetworkMode": "container:nothing-here"}}""", null, "404", "No such container: nothing-here"),
            ($$$"""{"Image": "{{{image}}}", "HostConfig": {"Memory": 1024}}""", null, "400", "Minimum memory limit allowed is 6MB"),
            ($$$"""{"Image": "{{{image}}}", "Cmd": ["true"]}""", "bad/name", "400", "Invalid container name (bad/name)"),
            ("""{"Image": "nothing-here:1"}""", null, "404", "No such image: nothing-here:1"),
            // refused by the compute service, after the Docker layer accepted it: its undo must leave nothing either
            ($$$"""{"Image": "{{{image}}}", "User": "no-such-user", "HostConfig": {"NetworkMode": "none"}}""", null, "400", "no-such-user"),
            ($$$"""{"Image": "{{{image}}}", "WorkingDir": "relative", "HostConfig": {"NetworkMode": "none"}}""", null, "400", "workingDir"),
            ("""{"Image": """, null, "400", "malformed JSON"),
        };
        foreach (var (json, name, status, message) in cases)
        {
            var r = await CreateAsync(json, name);
            Assert.True(r.StartsWith("HTTP/1.1 " + status, StringComparison.Ordinal), $"{json}: {r}");
            Assert.Contains(message, JsonDocument.Parse(Body(r)).RootElement.GetProperty("message").GetString()!, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(before, await SnapshotAsync());
        }
    }

    [DockerFact]
    public async Task A_taken_name_is_a_conflict_and_unknown_fields_are_ignored()
    {
        var image = await ImageAsync();
        var name = "dup-" + Guid.NewGuid().ToString("N")[..8];
        var first = await CreateAsync($$$"""{"Image": "{{{image}}}", "Cmd": ["true"], "Bogus": {"x": 1}, "HostConfig": {"NetworkMode": "none", "Nonsense": true}}""", name);
        Assert.StartsWith("HTTP/1.1 201", first);
        var id = IdOf(first);
        try
        {
            var before = await SnapshotAsync();
            var second = await CreateAsync($$$"""{"Image": "{{{image}}}", "Cmd": ["true"], "HostConfig": {"NetworkMode": "none"}}""", name);
            Assert.StartsWith("HTTP/1.1 409", second);
            Assert.Contains($"The container name \\\"/{name}\\\" is already in use by container \\\"{id}\\\"", Body(second));
            Assert.Equal(before, await SnapshotAsync());
        }
        finally { await RemoveAsync(id); }
        var gone = await Send("GET", $"/v1.44/containers/{id}/json");
        Assert.StartsWith("HTTP/1.1 404", gone);
        Assert.Contains($"No such container: {id}", gone);
    }

    [DockerFact]
    public async Task Bodies_and_headers_over_the_limits_are_refused()
    {
        // a body announced larger than the limit is refused before it is read (the client may still be sending it)
        using (var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await s.ConnectAsync(new UnixDomainSocketEndPoint(fx.DockerSocket));
            await s.SendAsync(Encoding.ASCII.GetBytes($"POST /v1.44/containers/create HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: {5 << 20}\r\n\r\n{{\"Image\": \"xxxx"));
            var buffer = new byte[4096];
            int n = await s.ReceiveAsync(buffer, SocketFlags.None);
            var r = Encoding.ASCII.GetString(buffer, 0, n);
            Assert.StartsWith("HTTP/1.1 413", r);
        }
        var headers = await fx.RawAsync($"GET /version HTTP/1.1\r\nHost: docker\r\nX-Big: {new string('y', 100_000)}\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 431", headers);
    }

    private static int FdCount(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;

    private static List<int> Children(int pid) =>
        [.. Directory.GetDirectories($"/proc/{pid}/task").SelectMany(t => File.ReadAllText(Path.Combine(t, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(int.Parse)];

    /// <summary>Sends a hijack request, reads the answer's head and <paramref name="bytes"/> bytes of stream, and cuts the connection.</summary>
    private async Task HijackAndLeaveAsync(string path, string body, int bytes)
    {
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await s.ConnectAsync(new UnixDomainSocketEndPoint(fx.DockerSocket));
        var req = $"POST {path} HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}";
        await s.SendAsync(Encoding.ASCII.GetBytes(req));
        var buffer = new byte[4096];
        var seen = new StringBuilder();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) || Encoding.ASCII.GetByteCount(Body(seen.ToString())) < bytes)
        {
            int n = await s.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (n == 0) break;
            seen.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }
        Assert.StartsWith("HTTP/1.1 101", seen.ToString());
        s.LingerState = new LingerOption(true, 0); // a reset, as a killed client would leave
    }

    [DockerFact]
    public async Task Clients_that_leave_mid_stream_leak_no_fd_and_no_process()
    {
        var image = await ImageAsync();
        var created = await CreateAsync($$$"""{"Image": "{{{image}}}", "Cmd": ["sh", "-c", "while true; do echo tick; sleep 0.05; done"], "HostConfig": {"NetworkMode": "none"}}""");
        Assert.StartsWith("HTTP/1.1 201", created);
        var id = IdOf(created);
        try
        {
            Assert.StartsWith("HTTP/1.1 204", await Send("POST", $"/v1.44/containers/{id}/start"));
            int pid = fx.DaemonPid;
            async Task Round()
            {
                await HijackAndLeaveAsync($"/v1.44/containers/{id}/attach?stream=1&stdout=1&stderr=1", "", 10);
                var exec = await Send("POST", $"/v1.44/containers/{id}/exec", """{"AttachStdout": true, "AttachStderr": true, "Cmd": ["sh", "-c", "echo start; sleep 0.3"]}""");
                Assert.StartsWith("HTTP/1.1 201", exec);
                await HijackAndLeaveAsync($"/v1.44/exec/{IdOf(exec)}/start", """{"Detach": false, "Tty": false}""", 5);
                // logs -f, cut after the first bytes
                using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(fx.DockerSocket));
                await s.SendAsync(Encoding.ASCII.GetBytes($"GET /v1.44/containers/{id}/logs?follow=1&stdout=1 HTTP/1.1\r\nHost: docker\r\n\r\n"));
                var buffer = new byte[1024];
                Assert.True(await s.ReceiveAsync(buffer, SocketFlags.None) > 0);
            }
            await Round(); // warms up what stays for the daemon's life (thread pool, connection buffers)
            await Task.Delay(1500);
            int fds = FdCount(pid);
            for (int i = 0; i < 10; i++) await Round();
            // the exec'd sleeps end within 0.3 s; the streams notice the cut at their next write (the container ticks every 50 ms)
            int now = 0;
            for (int i = 0; i < 50; i++)
            {
                await Task.Delay(200);
                now = FdCount(pid);
                if (now <= fds + 2 && Children(pid).All(c => File.ReadAllText($"/proc/{c}/comm").Trim() is "carton-monitor" or "nsenter")) break;
            }
            Assert.True(now <= fds + 2, $"the daemon had {fds} fds after one round and {now} after ten more");
            var children = Children(pid).Select(c => File.ReadAllText($"/proc/{c}/comm").Trim()).ToList();
            Assert.DoesNotContain("sleep", children);
            Assert.DoesNotContain("sh", children);
        }
        finally { await RemoveAsync(id); }
    }

    [DockerFact]
    public async Task Attach_and_exec_streams_beyond_the_limit_get_503()
    {
        var dir = Path.Combine(fx.Dir, "limited");
        Directory.CreateDirectory(dir);
        var log = new StringBuilder();
        var socket = Path.Combine(dir, "carton.sock");
        var docker = Path.Combine(dir, "docker.sock");
        var daemon = await fx.StartDaemonAsync(socket, Path.Combine(dir, "state"), fx.ImageRoot, ["--docker-socket", docker, "--docker-max-streams", "2"], log);
        try
        {
            var image = await ImageAsync(); // into the shared image root
            var create = await DockerFixture.RawAsync(docker, Request("POST", "/v1.44/containers/create",
                $$$"""{"Image": "{{{image}}}", "Cmd": ["sleep", "30"], "HostConfig": {"NetworkMode": "none"}}"""));
            Assert.StartsWith("HTTP/1.1 201", create);
            var id = IdOf(create);
            Assert.StartsWith("HTTP/1.1 204", await DockerFixture.RawAsync(docker, Request("POST", $"/v1.44/containers/{id}/start", null)));
            var held = new List<Socket>();
            try
            {
                for (int i = 0; i < 3; i++)
                {
                    var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    held.Add(s);
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(docker));
                    await s.SendAsync(Encoding.ASCII.GetBytes($"POST /v1.44/containers/{id}/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"));
                    var buffer = new byte[4096];
                    var head = "";
                    // the 101's head, or the whole refusal (the daemon closes after it)
                    while (!head.Contains("\r\n\r\n", StringComparison.Ordinal) || head.StartsWith("HTTP/1.1 503", StringComparison.Ordinal) && !head.EndsWith('}'))
                    {
                        int n = await s.ReceiveAsync(buffer, SocketFlags.None);
                        if (n == 0) break;
                        head += Encoding.ASCII.GetString(buffer, 0, n);
                    }
                    if (i < 2) Assert.StartsWith("HTTP/1.1 101", head);
                    else
                    {
                        Assert.StartsWith("HTTP/1.1 503", head);
                        Assert.Contains("too many attached streams (2, the daemon's limit)", head);
                    }
                }
            }
            finally { foreach (var s in held) s.Dispose(); }
            Assert.StartsWith("HTTP/1.1 204", await DockerFixture.RawAsync(docker, Request("DELETE", $"/v1.44/containers/{id}?force=1", null)));
        }
        finally { await DockerFixture.StopAsync(daemon); }
    }

    private static string Request(string method, string path, string? json) =>
        $"{method} {path} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n"
        + (json is null ? "\r\n" : $"Content-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n{json}");
}
