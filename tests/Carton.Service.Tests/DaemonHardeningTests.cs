using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Carton.Compute;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Carton.Service.Tests;

/// <summary>Issue 9's daemon items: the directories it trusts, the size of what it reads, what a 500 says.</summary>
[Collection("daemon")]
public sealed class DaemonHardeningTests(DaemonFixture daemon)
{
    [DaemonFact]
    public async Task A_request_body_over_the_limit_is_refused_and_the_daemon_stays_up()
    {
        var body = new string(' ', (int)DaemonHost.MaxRequestBodyBytes + 1024);
        var raw = await daemon.RawAsync($"POST /v1/systems HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}");
        Assert.StartsWith("HTTP/1.1 400", raw);
        Assert.Contains("\"code\":\"RequestTooLarge\"", raw);
        // still serving
        await foreach (var _ in daemon.Client.EnumerateComputeSystemsAsync()) { }
    }

    /// <summary>Every route's body goes through one reader (JsonBody) with the Docker bodies' screen: a body that is not
    /// UTF-8, or a null where a list entry belongs, is a 400 naming where. Before it, the image and network routes bound
    /// bodies unscreened: the pull below was a 500 (InvalidOperationException reading the string).</summary>
    [DaemonFact]
    public async Task A_body_that_is_not_UTF8_or_holds_a_null_list_entry_is_a_400_naming_where()
    {
        byte[] body = [.. "{\"reference\": \"busybox"u8, 0xFF, .. "\"}"u8];
        byte[] request = [.. Encoding.ASCII.GetBytes($"POST /v1/images/pull HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), .. body];
        var raw = await daemon.RawAsync(request);
        Assert.StartsWith("HTTP/1.1 400", raw);
        Assert.Contains("not valid UTF-8", raw);

        var nulls = """{"removedNames": [null], "all": false}""";
        raw = await daemon.RawAsync($"POST /v1/images/prune HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {nulls.Length}\r\nConnection: close\r\n\r\n{nulls}");
        Assert.StartsWith("HTTP/1.1 400", raw);
        Assert.Contains("$.removedNames[0]", raw);
    }

    /// <summary>Starts carton-serve with the given socket and root; returns its exit code and output (or kills it after 10 s
    /// when it keeps running, which a refused start must not do).</summary>
    private static async Task<(int? Exit, string Output)> StartServe(string socket, string root)
    {
        var psi = new ProcessStartInfo(DaemonFixture.ServeBinary) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "--socket", socket, "--root", root, "--init-binary", DaemonFixture.CartonBinary }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            p.Kill();
            await p.WaitForExitAsync();
            return (null, await err + await output);
        }
        return (p.ExitCode, await err + await output);
    }

    [DaemonFact]
    public async Task A_socket_directory_others_can_write_is_refused()
    {
        var dir = Directory.CreateTempSubdirectory("carton-sockdir-");
        try
        {
            var sockDir = Path.Combine(dir.FullName, "open");
            Directory.CreateDirectory(sockDir);
            File.SetUnixFileMode(sockDir, (UnixFileMode)0b111_111_111); // 0777: anyone could swap the socket
            var (exit, output) = await StartServe(Path.Combine(sockDir, "carton.sock"), Path.Combine(dir.FullName, "state"));
            Assert.True(exit == 1, $"carton-serve should refuse to start (exit {exit?.ToString() ?? "none: it kept running"}):\n{output}");
            Assert.Contains(sockDir, output);
            Assert.Contains("writable by group or others", output);
            Assert.False(File.Exists(Path.Combine(sockDir, "carton.sock")));
        }
        finally { dir.Delete(recursive: true); }
    }

    [DaemonFact]
    public async Task The_state_root_is_created_private_and_an_open_one_is_narrowed_or_refused()
    {
        var dir = Directory.CreateTempSubdirectory("carton-stateroot-");
        try
        {
            File.SetUnixFileMode(dir.FullName, (UnixFileMode)0b111_101_101);
            // created: 0700. Checked by the fixture's own daemon, whose root it created.
            Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(daemon.StateRoot));

            // an existing world-writable root: refused, naming it
            var open = Path.Combine(dir.FullName, "open");
            Directory.CreateDirectory(open);
            File.SetUnixFileMode(open, (UnixFileMode)0b111_111_111);
            var (exit, output) = await StartServe(Path.Combine(dir.FullName, "a.sock"), open);
            Assert.True(exit == 1, $"a world-writable state root must be refused (exit {exit?.ToString() ?? "none"}):\n{output}");
            Assert.Contains(open, output);

            // an existing readable one (0755): narrowed to 0700 with a warning, and the daemon runs
            var readable = Path.Combine(dir.FullName, "readable");
            Directory.CreateDirectory(readable);
            File.SetUnixFileMode(readable, (UnixFileMode)0b111_101_101);
            var (exit2, output2) = await StartServe(Path.Combine(dir.FullName, "b.sock"), readable);
            Assert.Null(exit2); // it kept running (killed by StartServe)
            Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(readable));
            Assert.Contains("narrowed to 0700", output2);
        }
        finally { dir.Delete(recursive: true); }
    }

    /// <summary>An unexpected exception in a handler: logged whole, answered with a generic message (no internals).</summary>
    [Fact]
    public async Task A_500_does_not_echo_the_exception_message()
    {
        var dir = Directory.CreateTempSubdirectory("carton-500-");
        try
        {
            var socket = Path.Combine(dir.FullName, "s.sock");
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(socket));
            await using var app = builder.Build();
            ErrorAndLogMiddleware.Use(app);
            app.MapGet("/boom", (HttpContext _) => throw new InvalidOperationException("secret internal detail /var/lib/x"));
            await app.StartAsync();
            using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await s.ConnectAsync(new UnixDomainSocketEndPoint(socket));
            await s.SendAsync(Encoding.ASCII.GetBytes("GET /boom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
            var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int n;
            while ((n = await s.ReceiveAsync(chunk)) > 0) buffer.Write(chunk, 0, n);
            var raw = Encoding.UTF8.GetString(buffer.ToArray());
            Assert.StartsWith("HTTP/1.1 500", raw);
            Assert.Contains("\"code\":\"Internal\"", raw);
            Assert.DoesNotContain("secret internal detail", raw);
            await app.StopAsync();
        }
        finally { dir.Delete(recursive: true); }
    }

    /// <summary>A named pipe is Windows' address for the daemon (issue 18): on Linux it is refused before the daemon
    /// creates anything, its state root included.</summary>
    [DaemonFact]
    public async Task A_pipe_address_is_refused_off_Windows_leaving_nothing()
    {
        var dir = Directory.CreateTempSubdirectory("carton-pipe-");
        try
        {
            var root = Path.Combine(dir.FullName, "state");
            var (exit, output) = await StartServe(@"\\.\pipe\carton-test", root);
            Assert.True(exit == 2, $"carton-serve should refuse a pipe here (exit {exit?.ToString() ?? "none: it kept running"}):\n{output}");
            Assert.Contains("Windows only", output);
            Assert.False(Directory.Exists(root), "the state root was created");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
