namespace Carton.Docker.Tests;

/// <summary>The fixture's daemon killed and started again over the same roots (the restart-policy tests'); the pattern
/// of tests/Carton.Service.Tests/DaemonFixture.cs's KillDaemonAsync and StartDaemonAsync.</summary>
public sealed partial class DockerFixture
{
    /// <summary>SIGKILL to the daemon, as a crash: none of its shutdown runs; containers and their monitors live on.</summary>
    public async Task KillDaemonAsync()
    {
        var p = _daemon ?? throw new InvalidOperationException("the daemon is not running");
        p.Kill();
        await p.WaitForExitAsync();
        _daemon = null;
    }

    /// <summary>Starts the daemon again over the same roots and sockets (after <see cref="KillDaemonAsync"/>); the
    /// dead daemon's socket files go first, so that the wait sees the new daemon's.</summary>
    public async Task RestartDaemonAsync()
    {
        if (_daemon is not null) return;
        File.Delete(Socket);
        File.Delete(DockerSocket);
        _daemon = await StartDaemonAsync(Socket, StateRoot, ImageRoot, ["--docker-socket", DockerSocket], _log);
    }
}
