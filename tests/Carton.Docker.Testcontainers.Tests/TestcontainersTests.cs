using System.Text;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Carton.Docker.Testcontainers.Tests;

/// <summary>
/// Testcontainers for .NET 4.16 against carton-serve's Docker socket: a busybox httpd container from the local
/// test registry, a published port on a random host port, a wait strategy, a file copied in and read back by an
/// exec, the logs, and the container gone after dispose.
/// <para>
/// Ryuk (Testcontainers' resource reaper) is disabled: its image is not available offline, and the test removes
/// its container itself (dispose). The child run gets TESTCONTAINERS_RYUK_DISABLED=true in its environment, as a
/// user would set it, and the scenario checks that Testcontainers took it (TestcontainersSettings.ResourceReaperEnabled).
/// The child also gets DOCKER_HOST (the daemon's Docker socket, Testcontainers' endpoint discovery) and an empty
/// DOCKER_CONFIG (no credentials or contexts of the machine's user).
/// </para>
/// <para>
/// And TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1: with a unix:// endpoint Testcontainers connects to mapped ports on
/// 127.0.0.1, unless /.dockerenv exists (as on this project's machines), where it takes itself for a process inside a
/// Docker container and connects to the container's network gateway instead (the first entry of the inspect's
/// NetworkSettings.Networks). The test's traffic goes to loopback only.
/// </para>
/// </summary>
public sealed class TestcontainersTests(ITestOutputHelper output)
{
    private const string Page = "hello from carton, served by busybox httpd\n";
    private const string Note = "copied in by Testcontainers' CopyAsync\n";
    private const string Ready = "carton-testcontainers-ready";

    [CartonDockerFact]
    public async Task Busybox_httpd_from_the_local_registry_runs_through_Testcontainers()
    {
        if (TestNamespace.Name is null)
        {
            // the host's namespace: run this same test again inside a namespace of its own (TestNamespace)
            var dir = Path.Combine(Path.GetTempPath(), "carton-tc-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                var (exit, log) = TestNamespace.RunTestInside(
                    $"{typeof(TestcontainersTests).FullName}.{nameof(Busybox_httpd_from_the_local_registry_runs_through_Testcontainers)}",
                    new Dictionary<string, string>
                    {
                        ["CARTON_TC_DIR"] = dir,
                        ["DOCKER_HOST"] = "unix://" + CartonDocker.DockerSocketIn(dir),
                        ["DOCKER_CONFIG"] = Path.Combine(dir, "docker-config"),
                        ["TESTCONTAINERS_RYUK_DISABLED"] = "true",
                        ["TESTCONTAINERS_HOST_OVERRIDE"] = "127.0.0.1",
                    },
                    Path.Combine(dir, "results"),
                    TimeSpan.FromMinutes(5));
                if (exit != 0) Assert.Fail($"the test inside its network namespace failed (exit {exit}):\n{log}");
                output.WriteLine(log);
                // a run that filtered out everything or skipped would exit 0 too
                Assert.Contains("Passed Carton.Docker.Testcontainers.Tests.TestcontainersTests.", log, StringComparison.Ordinal);
            }
            finally
            {
                CartonDocker.Cleanup(dir);
            }
            return;
        }

        var dirInside = Environment.GetEnvironmentVariable("CARTON_TC_DIR") ?? throw new InvalidOperationException("CARTON_TC_DIR unset");
        Directory.CreateDirectory(Path.Combine(dirInside, "docker-config"));
        await using var carton = await CartonDocker.StartAsync(dirInside);
        try
        {
            await ScenarioAsync(carton);
        }
        finally
        {
            output.WriteLine("carton-serve's log:\n" + carton.Log);
        }
    }

    private async Task ScenarioAsync(CartonDocker carton)
    {
        Assert.False(TestcontainersSettings.ResourceReaperEnabled, "TESTCONTAINERS_RYUK_DISABLED=true did not reach Testcontainers");
        Assert.Equal("127.0.0.1", TestcontainersSettings.DockerHostOverride);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var container = new ContainerBuilder(carton.BusyboxImage)
            .WithDockerEndpoint("unix://" + carton.DockerSocket)
            .WithLogger(new OutputLogger(output))
            // before start: Testcontainers copies resource mappings in after create (PUT .../archive)
            .WithResourceMapping(Encoding.UTF8.GetBytes(Page), "/www/index.html")
            .WithCommand("sh", "-c", $"echo {Ready}; exec httpd -f -v -p 8080 -h /www")
            .WithPortBinding(8080, true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(r => r.ForPort(8080).ForPath("/index.html")))
            .Build();
        string id;
        await using (container)
        {
            await container.StartAsync(timeout.Token);
            id = container.Id;
            Assert.False(string.IsNullOrEmpty(id));
            Assert.Equal("127.0.0.1", container.Hostname);

            var port = container.GetMappedPublicPort(8080);
            Assert.True(port > 0, "no host port mapped");
            using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) })
                Assert.Equal(Page, await http.GetStringAsync($"http://127.0.0.1:{port}/index.html", timeout.Token));

            await container.CopyAsync(Encoding.UTF8.GetBytes(Note), "/tmp/note.txt", ct: timeout.Token);
            var exec = await container.ExecAsync(["cat", "/tmp/note.txt"], timeout.Token);
            Assert.Equal(0, exec.ExitCode);
            Assert.Equal(Note, exec.Stdout);

            var (stdout, _) = await container.GetLogsAsync(ct: timeout.Token);
            Assert.Contains(Ready, stdout, StringComparison.Ordinal);
        }

        // dispose stops and removes it: the Docker API no longer knows the container
        var inspect = await carton.RawDockerAsync($"GET /containers/{id}/json HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 404", inspect, StringComparison.Ordinal);
        var list = await carton.RawDockerAsync("GET /containers/json?all=true HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", list, StringComparison.Ordinal);
        Assert.DoesNotContain(id, list, StringComparison.Ordinal);
    }

    /// <summary>Testcontainers' log lines into the test's output.</summary>
    private sealed class OutputLogger(ITestOutputHelper output) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try { output.WriteLine($"[testcontainers {logLevel}] {formatter(state, exception)}{(exception is null ? "" : " " + exception)}"); }
            catch (InvalidOperationException) { } // after the test ended
        }
    }
}
