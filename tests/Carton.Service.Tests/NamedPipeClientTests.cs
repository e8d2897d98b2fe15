using Carton.Client;
using Carton.Compute;

namespace Carton.Service.Tests;

/// <summary>
/// Carton.Client over a named pipe (issue 18 §7: carton-serve listens on \\.\pipe\carton on Windows). .NET's
/// NamedPipeClientStream is a Unix socket at $TMPDIR/CoreFxPipe_NAME on Linux, so pointing that path at the test
/// daemon's socket runs the client's whole pipe path (address parsing, connect, HTTP over the pipe stream, streams of
/// a process) against the real daemon here. What only Windows can show (Kestrel's pipe listener and its ACL) is said in
/// docs/windows.md.
/// </summary>
[Collection("daemon")]
public sealed class NamedPipeClientTests(DaemonFixture daemon)
{
    [DaemonFact]
    public async Task The_client_drives_a_system_through_a_named_pipe()
    {
        Assert.Null(daemon.Problem);
        var name = "carton-test-" + Guid.NewGuid().ToString("N")[..8];
        var pipePath = Path.Combine(Path.GetTempPath(), "CoreFxPipe_" + name);
        File.CreateSymbolicLink(pipePath, daemon.Socket);
        try
        {
            foreach (var address in new[] { @"\\.\pipe\" + name, "npipe:////./pipe/" + name, "//./pipe/" + name })
            {
                using var client = new ComputeClient(address);
                Assert.Equal(name, client.Address.PipeName);
                var id = "pipe-" + Guid.NewGuid().ToString("N")[..8];
                var system = await client.CreateComputeSystemAsync(id, daemon.BusyboxDocument(id, "sh", "-c", "exit 7"));
                Assert.Contains(id, await client.EnumerateComputeSystemsAsync().Select(s => s.Id).ToListAsync());
                await system.StartAsync();
                Assert.Equal(7, await system.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)));
                await system.DeleteAsync();
            }
        }
        finally
        {
            File.Delete(pipePath);
        }
    }

    [Fact]
    public async Task A_pipe_nobody_serves_is_unavailable_naming_the_pipe()
    {
        var address = @"\\.\pipe\carton-none-" + Guid.NewGuid().ToString("N")[..8];
        using var client = new ComputeClient(address);
        var e = await Assert.ThrowsAsync<ComputeException>(async () => await client.EnumerateComputeSystemsAsync().ToListAsync());
        Assert.Equal("Unavailable", e.Code);
        Assert.Contains(address, e.Message);
        Assert.Contains("is carton serve running?", e.Message);
    }

    [Theory]
    [InlineData(@"\\.\pipe\carton", "carton", null)]
    [InlineData("//./pipe/carton", "carton", null)]
    [InlineData("npipe:////./pipe/docker_engine", "docker_engine", null)]
    [InlineData(@"\\.\PIPE\x", "x", null)]
    [InlineData("/run/carton/carton.sock", null, "/run/carton/carton.sock")]
    [InlineData("unix:///run/carton/carton.sock", null, "/run/carton/carton.sock")]
    [InlineData("relative.sock", null, "relative.sock")]
    public void Addresses_parse(string text, string? pipe, string? socket)
    {
        var a = DaemonAddress.Parse(text);
        Assert.Equal((pipe, socket), (a.PipeName, a.SocketPath));
        Assert.Equal(text, a.ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData(@"\\server\pipe\carton", "only pipes on this machine")]
    [InlineData("npipe:////host/pipe/carton", "only pipes on this machine")]
    [InlineData(@"\\.\pipe\", "no name")]
    public void Bad_addresses_are_refused_saying_why(string text, string why)
    {
        var e = Assert.Throws<ArgumentException>(() => DaemonAddress.Parse(text));
        Assert.Contains(why, e.Message);
    }
}
