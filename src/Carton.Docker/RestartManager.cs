using Carton.Docker.Models;

namespace Carton.Docker;

/// <summary>
/// One container's restart policy at work, as dockerd's restartmanager (daemon/internal/restartmanager): after each
/// exit, whether to start it again and after how long — 100 ms, doubling with each restart, back to 100 ms when the
/// container had run 10 s, at most 1 min. A client's stop or kill cancels it (dockerd's ExitOnNext); a client's start
/// replaces it with a new one.
/// </summary>
internal sealed class RestartManager
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(1);
    private readonly CancellationTokenSource _cancel = new();
    private readonly Lock _gate = new();
    private TimeSpan _timeout;

    /// <summary>Cancelled by <see cref="Cancel"/>: a pending restart waits on it.</summary>
    public CancellationToken Canceled => _cancel.Token;

    public void Cancel()
    {
        lock (_gate) if (!_cancel.IsCancellationRequested) _cancel.Cancel();
    }

    /// <summary>The wait before the restart, or null when the policy does not restart the container (or a client
    /// cancelled it). <paramref name="restartCount"/> is the restarts so far; <paramref name="ran"/> how long it ran.</summary>
    public TimeSpan? ShouldRestart(RestartPolicy? policy, int restartCount, int exitCode, bool manuallyStopped, TimeSpan ran)
    {
        if (IsNone(policy)) return null;
        lock (_gate)
        {
            if (_cancel.IsCancellationRequested) return null;
            if (ran >= TimeSpan.FromSeconds(10)) _timeout = TimeSpan.Zero;
            if (_timeout == TimeSpan.Zero) _timeout = DefaultTimeout;
            else if (_timeout < MaxTimeout) _timeout *= 2;
            if (_timeout > MaxTimeout) _timeout = MaxTimeout;
            return Restarts(policy!, restartCount, exitCode, manuallyStopped) ? _timeout : null;
        }
    }

    /// <summary>The policy's answer alone (dockerd's switch in ShouldRestart); at the daemon's start, a new manager's.</summary>
    public static bool Restarts(RestartPolicy? policy, int restartCount, int exitCode, bool manuallyStopped) => policy?.Name switch
    {
        "always" => true,
        "unless-stopped" => !manuallyStopped,
        // MaximumRetryCount 0: no limit
        "on-failure" => (policy.MaximumRetryCount == 0 || restartCount < policy.MaximumRetryCount) && exitCode != 0,
        _ => false,
    };

    public static bool IsNone(RestartPolicy? policy) => policy?.Name is null or "" or "no";

    /// <summary>dockerd's checks at create (ValidateRestartPolicy, and validateHostConfig's AutoRemove rule).</summary>
    public static void Validate(HostConfig host)
    {
        if (host.RestartPolicy is not { } policy) return;
        const string field = "HostConfig.RestartPolicy";
        switch (policy.Name)
        {
            case "always" or "unless-stopped" or "no":
                if (policy.MaximumRetryCount != 0)
                    throw DockerErrors.BadRequest("invalid restart policy: maximum retry count can only be used with 'on-failure'"
                        + (policy.MaximumRetryCount < 0 ? " and cannot be negative" : ""), field + ".MaximumRetryCount");
                break;
            case "on-failure":
                if (policy.MaximumRetryCount < 0)
                    throw DockerErrors.BadRequest("invalid restart policy: maximum retry count cannot be negative", field + ".MaximumRetryCount");
                break;
            case null or "":
                // Docker before 25.0 sent "" as the default, with any count: accepted as dockerd does
                break;
            default:
                throw DockerErrors.BadRequest($"invalid restart policy: unknown policy '{policy.Name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'", field + ".Name");
        }
        if (host.AutoRemove && !IsNone(policy))
            throw DockerErrors.BadRequest("conflicting options: can't create 'AutoRemove' container with restart policy", "HostConfig.AutoRemove");
    }
}
