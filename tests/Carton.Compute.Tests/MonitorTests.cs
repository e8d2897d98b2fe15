using Carton.Compute.Linux;

namespace Carton.Compute.Tests;

/// <summary>
/// The per-container monitor: the init is the monitor's child, not the service's, so the exit status outlives the
/// service object (or daemon) that created the system.
/// </summary>
public sealed class MonitorTests : ComputeTestBase
{
    [RootFact]
    public async Task A_second_service_learns_the_exit_code_of_a_system_the_first_created()
    {
        var id = NewId();
        var first = await Service.CreateComputeSystemAsync(id, Hcs(Sh("sleep 0.5; exit 7")));
        await first.StartAsync();
        var initPid = (await first.GetPropertiesAsync()).Summary.Pid;
        // The init's parent is the monitor (`carton monitor`), which is not this process.
        var ppid = int.Parse(File.ReadAllText($"/proc/{initPid}/stat").Split(") ")[1].Split(' ')[1]);
        Assert.NotEqual(Environment.ProcessId, ppid);
        Assert.Contains("carton-monitor", File.ReadAllText($"/proc/{ppid}/cmdline").Replace('\0', ' '));

        var second = new ComputeService(new ComputeServiceOptions { StateRoot = StateRoot, InitBinaryPath = Layers.InitBinary });
        var opened = await second.OpenComputeSystemAsync(id);
        var code = await opened.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(7, code);
        var listed = await second.EnumerateComputeSystemsAsync(new ComputeSystemQuery { Ids = [id] }).SingleAsync();
        Assert.Equal(("stopped", (int?)7), (listed.State, listed.ExitCode));
        Assert.Equal(7, await first.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20)));
        await opened.DeleteAsync();
    }

    [RootFact]
    public async Task Without_a_monitor_the_service_is_the_parent()
    {
        var direct = new ComputeService(new ComputeServiceOptions { StateRoot = StateRoot, InitBinaryPath = Layers.InitBinary, UseMonitor = false });
        var id = NewId();
        var system = await direct.CreateComputeSystemAsync(id, Hcs(Sh("sleep 0.3; exit 4")));
        await system.StartAsync();
        var initPid = (await system.GetPropertiesAsync()).Summary.Pid;
        var ppid = int.Parse(File.ReadAllText($"/proc/{initPid}/stat").Split(") ")[1].Split(' ')[1]);
        Assert.Equal(Environment.ProcessId, ppid);
        Assert.Equal(4, await system.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20)));
        await system.DeleteAsync();
    }
}
