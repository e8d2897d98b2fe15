using System.Text;
using System.Text.Json;

namespace Carton.Docker.Tests;

/// <summary>
/// Restart policies and healthchecks through the real docker CLIs (issue 17 items 2 and 3): on-failure's count,
/// always bringing a container back until a client stops or kills it, the daemon killed with the container and its
/// restart bringing it back (and not one whose exit, recorded while no daemon ran, was a success), a healthcheck
/// going unhealthy then healthy with `docker ps` showing it, --no-healthcheck, and bad input answered 400.
/// </summary>
[Collection("docker")]
public sealed class DockerRestartHealthCliTests(DockerFixture fixture) : DockerCliTestBase(fixture)
{
    private string Inspect(string cli, string name, string format) => Ok(cli, "inspect", "--format", format, name).Trim();

    [DockerTheory, CliData(Debian), CliData(New)]
    public void OnFailure_RestartsAFailingContainerItsCountOfTimes_ThenLeavesItExited(string cli)
    {
        var image = Image();
        var name = Unique("onfail");
        try
        {
            Ok(cli, "run", "-d", "--name", name, "--restart", "on-failure:2", image, "sh", "-c", "exit 3");
            // "restarting" while a restart is pending: exited with count 2 is the end (3 runs, 2 restarts)
            Eventually(() => Inspect(cli, name, "{{.State.Status}} {{.RestartCount}}") == "exited 2", "exited after 2 restarts");
            Assert.Equal("3 on-failure 2", Inspect(cli, name, "{{.State.ExitCode}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}"));
        }
        finally
        {
            Remove(name);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void OnFailure_DoesNotRestartASuccess(string cli)
    {
        var image = Image();
        var name = Unique("onok");
        try
        {
            Assert.Equal("", Ok(cli, "run", "--name", name, "--restart", "on-failure", image, "true"));
            Assert.Equal("exited 0 0", Inspect(cli, name, "{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}"));
        }
        finally
        {
            Remove(name);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void Always_BringsBackAContainerThatExitsZero_UntilItIsStopped(string cli)
    {
        var image = Image();
        var name = Unique("always");
        try
        {
            Ok(cli, "run", "-d", "--name", name, "--restart", "always", image, "sh", "-c", "sleep 0.2; exit 0");
            Eventually(() => int.Parse(Inspect(cli, name, "{{.RestartCount}}")) >= 3, "3 restarts", 30);
            var status = Inspect(cli, name, "{{.State.Status}}");
            Assert.True(status is "running" or "restarting", status);
            Ok(cli, "stop", "-t", "1", name);
            var count = Inspect(cli, name, "{{.RestartCount}}");
            Assert.Equal("exited", Status(cli, name));
            // a restart would come 100 ms to 1.6 s after the exit at this count: 3 s later it is still down
            Thread.Sleep(3000);
            Assert.Equal("exited " + count, Inspect(cli, name, "{{.State.Status}} {{.RestartCount}}"));
            // a client's start: running again, the count back to 0 (dockerd's reset restart manager)
            Ok(cli, "start", name);
            Assert.Equal("0", Inspect(cli, name, "{{.RestartCount}}"));
        }
        finally
        {
            Remove(name);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void StopAndKill_OfAnAlwaysContainer_KeepItStopped(string cli)
    {
        var image = Image();
        var (stopped, killed) = (Unique("always-stop"), Unique("always-kill"));
        try
        {
            Ok(cli, "run", "-d", "--name", stopped, "--restart", "always", image, "sleep", "1000");
            Ok(cli, "run", "-d", "--name", killed, "--restart", "unless-stopped", image, "sleep", "1000");
            Ok(cli, "stop", "-t", "1", stopped);
            Ok(cli, "kill", killed);
            Eventually(() => Status(cli, killed) == "exited", "killed container exited");
            // the first restart would come 100 ms after the exit
            Thread.Sleep(2000);
            Assert.Equal("exited 0", Inspect(cli, stopped, "{{.State.Status}} {{.RestartCount}}"));
            Assert.Equal("exited 0", Inspect(cli, killed, "{{.State.Status}} {{.RestartCount}}"));
        }
        finally
        {
            Remove(stopped, killed);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void Healthcheck_GoesUnhealthy_ThenHealthy_AndPsShowsIt(string cli)
    {
        var image = Image();
        var name = Unique("health");
        try
        {
            Ok(cli, "run", "-d", "--name", name, "--health-cmd", "test -f /tmp/ok && echo fine", "--health-interval", "1s",
                "--health-retries", "1", "--health-timeout", "5s", image, "sleep", "1000");
            using (var config = JsonDocument.Parse(Inspect(cli, name, "{{json .Config.Healthcheck}}")))
            {
                var h = config.RootElement;
                Assert.Equal(["CMD-SHELL", "test -f /tmp/ok && echo fine"], h.GetProperty("Test").EnumerateArray().Select(e => e.GetString()));
                Assert.Equal(1_000_000_000L, h.GetProperty("Interval").GetInt64());
                Assert.Equal(1, h.GetProperty("Retries").GetInt32());
            }
            Eventually(() => Inspect(cli, name, "{{.State.Health.Status}}") == "unhealthy", "unhealthy", 20);
            Assert.Contains("(unhealthy)", Ok(cli, "ps", "--filter", "name=" + name, "--format", "{{.Status}}"));
            Ok(cli, "exec", name, "touch", "/tmp/ok");
            Eventually(() => Inspect(cli, name, "{{.State.Health.Status}}") == "healthy", "healthy", 20);
            Assert.Matches(@"^Up .* \(healthy\)\n$", Ok(cli, "ps", "--filter", "name=" + name, "--format", "{{.Status}}"));
            using var health = JsonDocument.Parse(Inspect(cli, name, "{{json .State.Health}}"));
            var log = health.RootElement.GetProperty("Log");
            Assert.Equal(0, health.RootElement.GetProperty("FailingStreak").GetInt32());
            Assert.InRange(log.GetArrayLength(), 2, 5);
            var last = log[log.GetArrayLength() - 1];
            Assert.Equal(0, last.GetProperty("ExitCode").GetInt32());
            Assert.Equal("fine\n", last.GetProperty("Output").GetString());
            Assert.NotEqual(0, log[0].GetProperty("ExitCode").GetInt32());
            // the probes are gone with the container's stop: nothing left running in it, no exec kept
            Ok(cli, "stop", "-t", "1", name);
            Assert.Equal("exited", Status(cli, name));
        }
        finally
        {
            Remove(name);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void NoHealthcheck_RunsNoProbe(string cli)
    {
        var image = Image();
        var name = Unique("nohealth");
        try
        {
            Ok(cli, "run", "-d", "--name", name, "--no-healthcheck", image, "sleep", "1000");
            Assert.Equal("[\"NONE\"]", Inspect(cli, name, "{{json .Config.Healthcheck.Test}}"));
            using var state = JsonDocument.Parse(Inspect(cli, name, "{{json .State}}"));
            Assert.False(state.RootElement.TryGetProperty("Health", out _), "State.Health with --no-healthcheck");
            Assert.Matches(@"^Up [^(]*\n$", Ok(cli, "ps", "--filter", "name=" + name, "--format", "{{.Status}}"));
        }
        finally
        {
            Remove(name);
        }
    }

    /// <summary>State.Health is there from the moment the start is answered ("starting" until a probe says
    /// otherwise), as dockerd's: it was made only once the watch of the run had opened the system, so an inspect right
    /// after the start could find none (docker-py's health/healthy check, once in a local run of the suite). Each of
    /// ten starts is followed at once by an inspect.</summary>
    [DockerFact]
    public async Task Health_IsStarting_InTheInspectRightAfterTheStart()
    {
        var image = Image();
        var body = $"{{\"Image\":\"{image}\",\"Cmd\":[\"sleep\",\"60\"],\"Healthcheck\":{{\"Test\":[\"CMD\",\"true\"],\"Interval\":60000000000}}}}";
        var ids = new List<string>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                var created = await fx.RawAsync($"POST /v1.44/containers/create HTTP/1.1\r\nHost: docker\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");
                Assert.True(created.StartsWith("HTTP/1.1 201", StringComparison.Ordinal), created);
                var id = System.Text.RegularExpressions.Regex.Match(created, "\"Id\":\"([0-9a-f]{64})\"").Groups[1].Value;
                Assert.NotEmpty(id);
                ids.Add(id);
                // the start and the inspect pipelined on one connection: the inspect is read the moment the start
                // is answered, before any work the start left to run in the background
                var both = await fx.RawAsync(
                    $"POST /v1.44/containers/{id}/start HTTP/1.1\r\nHost: docker\r\nContent-Length: 0\r\n\r\n" +
                    $"GET /v1.44/containers/{id}/json HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n");
                Assert.True(both.StartsWith("HTTP/1.1 204", StringComparison.Ordinal), both);
                var inspect = both[both.IndexOf("HTTP/1.1 200", StringComparison.Ordinal)..];
                Assert.Matches("\"Health\":\\{\"Status\":\"(starting|healthy)\"", inspect);
            }
        }
        finally
        {
            foreach (var id in ids) await fx.RawAsync($"DELETE /v1.44/containers/{id}?force=1 HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n");
        }
    }

    [DockerFact]
    public async Task BadRestartPoliciesAndHealthchecks_Are400_NamingTheField_AndMakeNothing()
    {
        var image = Image();
        var before = Ok(Debian, "ps", "-aq");
        async Task Bad(string fields, string message)
        {
            var body = $"{{\"Image\":\"{image}\",\"Cmd\":[\"true\"],{fields}}}";
            var r = await fx.RawAsync($"POST /v1.44/containers/create HTTP/1.1\r\nHost: docker\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");
            Assert.True(r.StartsWith("HTTP/1.1 400", StringComparison.Ordinal), fields + " → " + r);
            Assert.Contains(message, r);
        }
        await Bad("\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"sometimes\"}}", "unknown policy 'sometimes'");
        await Bad("\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":-1}}", "cannot be negative");
        await Bad("\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"always\",\"MaximumRetryCount\":3}}", "can only be used with 'on-failure'");
        await Bad("\"HostConfig\":{\"AutoRemove\":true,\"RestartPolicy\":{\"Name\":\"unless-stopped\"}}", "can't create 'AutoRemove' container with restart policy");
        await Bad("\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Interval\":1000}", "cannot be less than 1ms");
        await Bad("\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Retries\":-1}", "cannot be negative");
        await Bad("\"Healthcheck\":{\"Test\":[\"SOMETIMES\",\"true\"]}", "unknown healthcheck type");
        Assert.Equal(before, Ok(Debian, "ps", "-aq"));
    }

    /// <summary>The issue's test: the daemon is SIGKILLed, then the container's init; at the daemon's start the
    /// restart policy brings the container back, on the exit code its monitor recorded while no daemon ran: a failure
    /// restarts an on-failure container, a success written meanwhile does not (the code was not lost).</summary>
    [DockerFact]
    public async Task DaemonKilledWithTheContainer_ItsRestartBringsTheContainerBack()
    {
        var image = Image();
        var (always, failed, succeeded, manual) = (Unique("crash-always"), Unique("crash-onfail"), Unique("crash-ok"), Unique("crash-manual"));
        try
        {
            Ok(Debian, "run", "-d", "--name", always, "--restart", "always", image, "sleep", "1000");
            Ok(Debian, "run", "-d", "--name", failed, "--restart", "on-failure:5", image, "sleep", "1000");
            Ok(Debian, "run", "-d", "--name", succeeded, "--restart", "on-failure", image, "sh", "-c", "until [ -f /go ]; do sleep 0.1; done");
            Ok(Debian, "run", "-d", "--name", manual, "--restart", "unless-stopped", image, "sleep", "1000");
            Ok(Debian, "stop", "-t", "1", manual);
            var pids = new[] { always, failed, succeeded }.ToDictionary(n => n, n => int.Parse(Inspect(Debian, n, "{{.State.Pid}}")));
            var ids = new[] { always, failed, succeeded }.ToDictionary(n => n, n => Inspect(Debian, n, "{{.Id}}"));
            var okRoot = Inspect(Debian, succeeded, "{{.GraphDriver.Data.MergedDir}}");
            await fx.KillDaemonAsync();
            try
            {
                // while no daemon runs: two inits killed, one ends by itself with 0
                kill(pids[always], 9);
                kill(pids[failed], 9);
                File.WriteAllText(Path.Combine(okRoot, "go"), "");
                foreach (var (n, pid) in pids)
                {
                    Eventually(() => !Directory.Exists($"/proc/{pid}"), n + "'s init gone");
                    // the monitor has recorded the exit status (read by the next daemon)
                    Eventually(() => Directory.EnumerateDirectories(fx.StateRoot).Any(d => File.Exists(Path.Combine(d, ids[n], "exit.json"))), n + "'s exit recorded");
                }
            }
            finally
            {
                await fx.RestartDaemonAsync();
            }
            Eventually(() => Status(Debian, always) == "running", "the always container back");
            Eventually(() => Status(Debian, failed) == "running", "the on-failure container back after its SIGKILL");
            Assert.NotEqual(pids[always].ToString(), Inspect(Debian, always, "{{.State.Pid}}"));
            Assert.Equal("exited 0", Inspect(Debian, succeeded, "{{.State.Status}} {{.State.ExitCode}}"));
            Assert.Equal("exited", Status(Debian, manual));
            // and the daemon watches them again: a kill now is restarted by the policy, as before the crash
            kill(int.Parse(Inspect(Debian, failed, "{{.State.Pid}}")), 9);
            Eventually(() => Inspect(Debian, failed, "{{.State.Status}} {{.RestartCount}}") == "running 1", "restarted after an exit seen by the new daemon");
        }
        finally
        {
            await fx.RestartDaemonAsync();
            Remove(always, failed, succeeded, manual);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
