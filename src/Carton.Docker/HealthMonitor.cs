using System.Globalization;
using System.Text;
using Carton.Compute;
using Carton.Docker.Models;

namespace Carton.Docker;

/// <summary>
/// A running container's healthcheck, as dockerd's daemon/health.go: the test runs as an exec every Interval (30 s by
/// default; StartInterval, 5 s, while starting within StartPeriod), killed after Timeout (30 s); Retries (3)
/// consecutive failures make it unhealthy (failures within StartPeriod do not count before a first success), a success
/// healthy. The state (<see cref="ContainerHealth"/>) is inspect's State.Health; each change of status is a
/// "health_status: STATUS" event, each probe exec_create, exec_start and exec_die events, as dockerd's. The monitor
/// lives from a start to the init's exit (<see cref="DockerContainers"/> runs it beside its watch).
/// </summary>
internal static class HealthMonitor
{
    public const int MaxLogEntries = 5;
    private const int MaxOutputLength = 4096;
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DefaultStartInterval = TimeSpan.FromSeconds(5);
    private const int DefaultRetries = 3;
    /// <summary>dockerd's MinimumDuration for every duration given (1 ms).</summary>
    private const long MinimumNanoseconds = 1_000_000;

    /// <summary>Config.Healthcheck over the image's (dockerd's merge in daemon/commit.go): none given takes the image's;
    /// an empty Test and each zero field take the image's.</summary>
    public static HealthConfig? Merge(HealthConfig? user, Carton.Images.Model.ImageHealthcheck? image)
    {
        if (image is null) return user;
        if (user is null)
            return new HealthConfig
            {
                Test = image.Test, Interval = image.Interval, Timeout = image.Timeout, StartPeriod = image.StartPeriod,
                StartInterval = image.StartInterval, Retries = image.Retries,
            };
        if (user.Test is not { Count: > 0 }) user.Test = image.Test;
        if (user.Interval is null or 0) user.Interval = image.Interval;
        if (user.Timeout is null or 0) user.Timeout = image.Timeout;
        if (user.StartPeriod is null or 0) user.StartPeriod = image.StartPeriod;
        if (user.StartInterval is null or 0) user.StartInterval = image.StartInterval;
        if (user.Retries is null or 0) user.Retries = image.Retries;
        return user;
    }

    /// <summary>dockerd's validateHealthCheck: durations of at least 1 ms (or 0, the default), retries not negative.</summary>
    public static void Validate(HealthConfig? h)
    {
        if (h is null) return;
        static void Duration(long? value, string name)
        {
            if (value is { } v && v != 0 && v < MinimumNanoseconds)
                throw DockerErrors.BadRequest($"{name} in Healthcheck cannot be less than 1ms", "Healthcheck." + name);
        }
        Duration(h.Interval, "Interval");
        Duration(h.Timeout, "Timeout");
        if (h.Retries < 0) throw DockerErrors.BadRequest("Retries in Healthcheck cannot be negative", "Healthcheck.Retries");
        Duration(h.StartPeriod, "StartPeriod");
        Duration(h.StartInterval, "StartInterval");
        if (h.Test is [var kind, ..] && kind is not ("NONE" or "CMD" or "CMD-SHELL"))
            throw DockerErrors.BadRequest($"unknown healthcheck type '{kind}' (expected 'CMD', 'CMD-SHELL' or 'NONE')", "Healthcheck.Test");
        if (h.Test is ["CMD" or "CMD-SHELL"]) throw DockerErrors.BadRequest("healthcheck has no command", "Healthcheck.Test");
    }

    /// <summary>The probe's argv, or null when the container has no healthcheck (none, [] or ["NONE"]).</summary>
    public static List<string>? ProbeCommand(HealthConfig? h) => h?.Test switch
    {
        ["CMD", .. var args] when args.Count > 0 => [.. args],
        // the image's shell; Config.Shell is not kept by carton, so Linux's default, as dockerd's getShell
        ["CMD-SHELL", .. var args] when args.Count > 0 => ["/bin/sh", "-c", .. args],
        _ => null,
    };

    private static TimeSpan Or(long? nanoseconds, TimeSpan fallback) => nanoseconds is > 0 and var n ? TimeSpan.FromTicks(n / 100) : fallback;

    /// <summary>Probes until <paramref name="stop"/> (the init's exit); a probe under way is killed and waited for.</summary>
    public static async Task RunAsync(DockerServices services, ContainerRecord record, ContainerHealth health, DateTime started, CancellationToken stop)
    {
        var config = record.Config.Healthcheck;
        var command = ProbeCommand(config);
        if (command is null) return;
        var interval = Or(config!.Interval, DefaultInterval);
        var startInterval = Or(config.StartInterval, DefaultStartInterval);
        var startPeriod = Or(config.StartPeriod, TimeSpan.Zero);
        var timeout = Or(config.Timeout, DefaultTimeout);
        int retries = config.Retries is > 0 and var r ? r : DefaultRetries;
        TimeSpan Next()
        {
            if (DateTime.UtcNow - started >= startPeriod) return interval;
            lock (health) return health.Status == "starting" ? startInterval : interval;
        }
        try
        {
            while (true)
            {
                await Task.Delay(Next(), stop);
                var start = DateTime.UtcNow;
                var (code, output) = await ProbeAsync(services, record, command, timeout, stop);
                if (stop.IsCancellationRequested) return;
                var result = new HealthcheckResult
                {
                    Start = ContainerViews.Time(start), End = ContainerViews.Time(DateTime.UtcNow), ExitCode = code, Output = output,
                };
                string before, after;
                lock (health)
                {
                    before = health.Status;
                    health.Log.Add(result);
                    if (health.Log.Count > MaxLogEntries) health.Log.RemoveRange(0, health.Log.Count - MaxLogEntries);
                    if (code == 0)
                    {
                        health.FailingStreak = 0;
                        health.Status = "healthy";
                    }
                    // a failure within the start period does not count while the container has never been healthy
                    else if (!(health.Status == "starting" && start - started < startPeriod))
                    {
                        health.FailingStreak++;
                        if (health.FailingStreak >= retries) health.Status = "unhealthy";
                    }
                    after = health.Status;
                }
                if (before != after) services.Events.Container(record, "health_status: " + after);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }

    /// <summary>One probe: the exit code and output (at most 4 KiB, "..." when cut); -1 when it could not run or
    /// timed out (killed then).</summary>
    private static async Task<(int Code, string Output)> ProbeAsync(DockerServices services, ContainerRecord record, List<string> command, TimeSpan timeout, CancellationToken stop)
    {
        var execId = ContainerNames.NewId();
        var text = string.Join(' ', command);
        services.Events.Container(record, "exec_create: " + text, ("execID", execId));
        var output = new LimitedBuffer();
        try
        {
            await using var system = await services.Compute.OpenComputeSystemAsync(record.Id, stop);
            var props = await system.GetPropertiesAsync(stop);
            var parameters = new ProcessParameters
            {
                CommandArgs = command, CreateStdOutPipe = true, CreateStdErrPipe = true,
                WorkingDirectory = record.Config.WorkingDir is { Length: > 0 } wd ? wd : null,
                User = record.Config.User is { Length: > 0 } u && ExecEndpoints.ResolveUser(u, props.RootfsPath) is var (uid, gid) ? $"{uid}:{gid}" : null,
            };
            int code;
            bool timedOut = false;
            await using (var process = await system.CreateProcessAsync(parameters, stop))
            {
                services.Events.Container(record, "exec_start: " + text, ("execID", execId));
                using var reads = new CancellationTokenSource();
                var reading = Task.WhenAll(output.PumpAsync(process.StandardOutput, reads.Token), output.PumpAsync(process.StandardError, reads.Token));
                var exited = process.WaitForExitAsync(CancellationToken.None);
                using (var limit = CancellationTokenSource.CreateLinkedTokenSource(stop))
                {
                    limit.CancelAfter(timeout);
                    try { await exited.WaitAsync(limit.Token); }
                    catch (OperationCanceledException)
                    {
                        // too long (or the container stopped): killed, and waited for, so that probes never pile up
                        timedOut = !stop.IsCancellationRequested;
                        await process.KillAsync(CancellationToken.None);
                    }
                }
                code = await exited;
                // a child the probe left behind may hold its pipes open: its output is not waited for long
                await Task.WhenAny(reading, Task.Delay(TimeSpan.FromMilliseconds(500), CancellationToken.None));
                await reads.CancelAsync();
                try { await reading; } catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException) { }
            }
            services.Events.Container(record, "exec_die", ("execID", execId), ("exitCode", code.ToString(CultureInfo.InvariantCulture)));
            if (timedOut)
            {
                var seconds = timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s";
                var said = output.ToString();
                return (-1, said.Length > 0 ? $"Health check exceeded timeout ({seconds}): {said}" : $"Health check exceeded timeout ({seconds})");
            }
            return (code, output.ToString());
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { return (-1, "the container stopped"); }
        catch (Exception e) when (e is ComputeException or CartonException or IOException or InvalidOperationException)
        {
            return (-1, e.Message);
        }
    }

    /// <summary>dockerd's limitedBuffer: the first 4 KiB of stdout and stderr together, "..." appended when more came.</summary>
    private sealed class LimitedBuffer
    {
        private readonly MemoryStream _bytes = new();
        private bool _truncated;

        public async Task PumpAsync(Stream? from, CancellationToken ct)
        {
            if (from is null) return;
            var buffer = new byte[4096];
            while (true)
            {
                int n = await from.ReadAsync(buffer, ct);
                if (n == 0) return;
                lock (_bytes)
                {
                    int keep = (int)Math.Min(MaxOutputLength - _bytes.Length, n);
                    if (keep > 0) _bytes.Write(buffer, 0, keep);
                    if (keep < n) _truncated = true;
                }
            }
        }

        public override string ToString()
        {
            lock (_bytes) return Encoding.UTF8.GetString(_bytes.GetBuffer(), 0, (int)_bytes.Length) + (_truncated ? "..." : "");
        }
    }
}
