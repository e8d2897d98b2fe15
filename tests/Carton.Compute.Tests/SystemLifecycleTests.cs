using Carton.Oci;

using Carton.Compute.Linux;

namespace Carton.Compute.Tests;

public sealed class SystemLifecycleTests : ComputeTestBase
{
    [RootFact]
    public async Task Oci_document_runs_its_process_and_keeps_its_output()
    {
        var id = NewId();
        var doc = new ComputeSystemDocument { Oci = new OciSystemDocument { Spec = OciSpec(Layers.Base, "sh", "-c", "echo hello; echo oops >&2; exit 3") } };
        var system = await Service.CreateComputeSystemAsync(id, doc);
        Assert.Equal("created", (await system.GetPropertiesAsync()).Summary.State);
        await system.StartAsync();
        Assert.Equal(3, await Within(system.WaitForExitAsync()));
        var props = await system.GetPropertiesAsync();
        Assert.Equal(("stopped", 3, 0), (props.Summary.State, props.Summary.ExitCode, props.Summary.Pid));
        Assert.Null(props.Statistics);
        Assert.Equal("hello\n", File.ReadAllText(props.InitStdoutPath!));
        Assert.Equal("oops\n", File.ReadAllText(props.InitStderrPath!));
        await system.DeleteAsync();
        await Assert.ThrowsAsync<ComputeSystemNotFoundException>(() => Service.OpenComputeSystemAsync(id));
    }

    [RootFact]
    public async Task Hcs_layers_are_an_overlay_whose_writes_go_to_the_scratch_layer()
    {
        var top = Layers.NewLayer(d =>
        {
            Directory.CreateDirectory(Path.Combine(d, "etc"));
            File.WriteAllText(Path.Combine(d, "etc/marker"), "top\n");
        });
        var id = NewId();
        var system = await Service.CreateComputeSystemAsync(id,
            Hcs(Sh("cat /etc/marker; echo new > /newfile; echo changed > /etc/marker; rm /bin/vi"), null, Layers.Base, top));
        await system.StartAsync();
        Assert.Equal(0, await Within(system.WaitForExitAsync()));
        var props = await system.GetPropertiesAsync();
        Assert.Equal("top\n", File.ReadAllText(props.InitStdoutPath!));
        var upper = Path.Combine(Service.ScratchRoot, id, "upper");
        Assert.Equal("new\n", File.ReadAllText(Path.Combine(upper, "newfile")));
        Assert.Equal("changed\n", File.ReadAllText(Path.Combine(upper, "etc/marker")));
        // The layers are untouched.
        Assert.Equal("top\n", File.ReadAllText(Path.Combine(top, "etc/marker")));
        Assert.Equal("base\n", File.ReadAllText(Path.Combine(Layers.Base, "etc/marker")));
        Assert.False(File.Exists(Path.Combine(top, "newfile")));
        Assert.False(File.Exists(Path.Combine(Layers.Base, "newfile")));
        Assert.True(File.Exists(Path.Combine(Layers.Base, "bin/vi")) || new FileInfo(Path.Combine(Layers.Base, "bin/vi")).LinkTarget is not null);
        await system.DeleteAsync();
        Assert.False(Directory.Exists(Path.Combine(Service.ScratchRoot, id)));
    }

    [RootFact]
    public async Task Idle_system_runs_processes_and_shuts_down_cleanly()
    {
        var id = NewId();
        var system = await StartIdleAsync(id, c => c.HostName = "idle-host");
        await using var p = await system.CreateProcessAsync(new ProcessParameters { CommandArgs = ["hostname"], CreateStdOutPipe = true });
        Assert.Equal("idle-host\n", await ReadAllAsync(p.StandardOutput!));
        Assert.Equal(0, await Within(p.WaitForExitAsync()));
        await system.ShutdownAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, await system.WaitForExitAsync()); // the idle init exits 0 on SIGTERM
        await system.DeleteAsync();
    }

    [RootFact]
    public async Task Memory_limit_is_in_the_containers_cgroup()
    {
        var id = NewId();
        var system = await StartIdleAsync(id, c => c.Memory = new HcsMemory { SizeInMB = 96 });
        await using var p = await system.CreateProcessAsync(
            Sh("cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max", stdout: true));
        Assert.Equal((96L << 20).ToString(), (await ReadAllAsync(p.StandardOutput!)).Trim());

        // The Linux-only part: OCI linux.resources.
        await system.UpdateResourcesAsync(ComputeResources.FromLinux(new LinuxResources { Memory = new LinuxMemory { Limit = 128L << 20 } }));
        await using var q = await system.CreateProcessAsync(
            Sh("cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max", stdout: true));
        Assert.Equal((128L << 20).ToString(), (await ReadAllAsync(q.StandardOutput!)).Trim());

        // The portable part, HCS's Memory; an out-of-range value names its field.
        await system.UpdateResourcesAsync(new ComputeResources { Memory = new HcsMemory { SizeInMB = 160 } });
        await using var r = await system.CreateProcessAsync(
            Sh("cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max", stdout: true));
        Assert.Equal((160L << 20).ToString(), (await ReadAllAsync(r.StandardOutput!)).Trim());
        var bad = await Assert.ThrowsAsync<InvalidComputeDocumentException>(() => system.UpdateResourcesAsync(new ComputeResources { Processor = new HcsProcessor { Weight = 0 } }));
        Assert.Equal("Processor.Weight", bad.JsonPath);
        await system.DeleteAsync();
    }

    [RootFact]
    public async Task Process_stdio_pipes_and_exit_codes()
    {
        var id = NewId();
        var system = await StartIdleAsync(id);

        await using (var echo = await system.CreateProcessAsync(new ProcessParameters { CommandArgs = ["echo", "hello"], CreateStdOutPipe = true }))
        {
            Assert.Equal("hello\n", await ReadAllAsync(echo.StandardOutput!));
            Assert.Null(echo.StandardInput);
            Assert.Equal(0, await Within(echo.WaitForExitAsync()));
        }

        await using (var cat = await system.CreateProcessAsync(new ProcessParameters { CommandArgs = ["cat"], CreateStdInPipe = true, CreateStdOutPipe = true }))
        {
            var output = ReadAllAsync(cat.StandardOutput!);
            await cat.StandardInput!.WriteAsync("ping\npong\n"u8.ToArray());
            await cat.StandardInput.DisposeAsync(); // EOF
            Assert.Equal("ping\npong\n", await output);
            Assert.Equal(0, await Within(cat.WaitForExitAsync()));
        }

        await using (var err = await system.CreateProcessAsync(Sh("echo bad >&2; exit 7", stderr: true)))
        {
            Assert.Equal("bad\n", await ReadAllAsync(err.StandardError!));
            Assert.Equal(7, await Within(err.WaitForExitAsync()));
        }

        await using (var sleeper = await system.CreateProcessAsync(new ProcessParameters { CommandArgs = ["sleep", "100"] }))
        {
            await sleeper.SignalAsync(15);
            Assert.Equal(128 + 15, await Within(sleeper.WaitForExitAsync()));
            await sleeper.KillAsync(); // already gone: no error, no stray signal
        }

        await using (var env = await system.CreateProcessAsync(new ProcessParameters
        {
            CommandArgs = ["sh", "-c", "echo $FOO $(pwd) $(id -u)"], Environment = new() { ["FOO"] = "bar" }, WorkingDirectory = "/tmp",
            User = "1000:1000", CreateStdOutPipe = true,
        }))
            Assert.Equal("bar /tmp 1000\n", await ReadAllAsync(env.StandardOutput!));

        await system.DeleteAsync();
    }

    [RootFact]
    public async Task Console_process_gets_a_pty()
    {
        var id = NewId();
        var system = await StartIdleAsync(id);
        await using var p = await system.CreateProcessAsync(new ProcessParameters
        {
            CommandArgs = ["sh", "-c", "tty; stty size"], EmulateConsole = true, ConsoleSize = [30, 100],
        });
        Assert.NotNull(p.Console);
        Assert.Null(p.StandardOutput);
        var text = new System.Text.StringBuilder();
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await p.Console!.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(20))) > 0)
                text.Append(System.Text.Encoding.UTF8.GetString(buffer, 0, n));
        }
        catch (IOException) { } // EIO once the slave side is closed
        Assert.Contains("/dev/pts/", text.ToString());
        Assert.Contains("30 100", text.ToString());
        Assert.Equal(0, await Within(p.WaitForExitAsync()));
        await system.DeleteAsync();
    }

    [RootFact]
    public async Task Shutdown_kills_a_process_that_ignores_sigterm_after_the_timeout()
    {
        var id = NewId();
        var system = await Service.CreateComputeSystemAsync(id, Hcs(Sh("trap '' TERM; echo ready; while true; do sleep 1; done")));
        await system.StartAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(300);
        await system.ShutdownAsync(TimeSpan.FromSeconds(1));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"shutdown returned after {clock.Elapsed}");
        Assert.Equal(137, await system.WaitForExitAsync());
        await Assert.ThrowsAsync<ComputeSystemAlreadyStoppedException>(() => system.ShutdownAsync(TimeSpan.FromSeconds(1)));
        await system.DeleteAsync();
    }

    [RootFact]
    public async Task Terminate_kills_everything()
    {
        var id = NewId();
        var system = await Service.CreateComputeSystemAsync(id, Hcs(Sh("sleep 100 & sleep 100")));
        await system.StartAsync();
        await system.TerminateAsync();
        Assert.Equal(137, await system.WaitForExitAsync());
        Assert.Equal("stopped", (await system.GetPropertiesAsync()).Summary.State);
        await Assert.ThrowsAsync<ComputeSystemAlreadyStoppedException>(() => system.TerminateAsync());
        await system.DeleteAsync();
    }

    [RootFact]
    public async Task Properties_have_processes_and_statistics()
    {
        var id = NewId();
        var system = await StartIdleAsync(id);
        await using var p = await system.CreateProcessAsync(new ProcessParameters { CommandArgs = ["sleep", "100"] });
        var props = await system.GetPropertiesAsync();
        Assert.Equal("running", props.Summary.State);
        Assert.Equal("tests", props.Summary.Owner);
        Assert.Contains(props.Summary.Pid, props.Processes);
        Assert.Contains(p.Pid, props.Processes);
        Assert.NotNull(props.Statistics);
        // The Linux part (runc's shape) and the portable figures drawn from it.
        Assert.True(props.Statistics!.Linux?.Memory?.Usage?.Usage > 0, "memory usage");
        Assert.True(props.Statistics.Linux?.Pids?.Current >= 2, "pids");
        Assert.Equal(props.Statistics.Linux!.Memory.Usage.Usage, props.Statistics.Memory.MemoryUsageCommitBytes);
        Assert.True(props.Statistics.Processes.Current >= 2, "portable process count");
        Assert.True(props.Statistics.Processor.TotalRuntime100ns > 0, "portable cpu time");
        // Its own network namespace: loopback only, counted from the init's /proc/PID/net/dev.
        Assert.Equal(["lo"], props.Statistics.Network.Select(n => n.EndpointId));

        await system.PauseAsync();
        Assert.Equal("paused", (await system.GetPropertiesAsync()).Summary.State);
        await system.ResumeAsync();
        Assert.Equal("running", (await system.GetPropertiesAsync()).Summary.State);

        var listed = new List<ComputeSystemSummary>();
        await foreach (var s in Service.EnumerateComputeSystemsAsync(new ComputeSystemQuery { Owners = ["tests"], States = ["running"] })) listed.Add(s);
        Assert.Contains(listed, s => s.Id == id);
        await foreach (var s in Service.EnumerateComputeSystemsAsync(new ComputeSystemQuery { Owners = ["someone-else"] })) Assert.Fail("filtered out: " + s.Id);

        // A second handle (opened, not created) sees the same system.
        await using var opened = await Service.OpenComputeSystemAsync(id);
        Assert.Equal("running", (await opened.GetPropertiesAsync()).Summary.State);
        await opened.DeleteAsync();
        Assert.Equal(137, await p.WaitForExitAsync());
    }

    [RootFact]
    public async Task Storage_qos_throttles_the_scratch_disk_or_is_reported()
    {
        var id = NewId();
        var system = await Service.CreateComputeSystemAsync(id, Hcs(null, c => c.Storage.QoS = new HcsStorageQoS { IopsMaximum = 500, BandwidthMaximum = 10 << 20 }));
        var props = await system.GetPropertiesAsync();
        if (HostFacts.BlockDeviceOf(Service.ScratchRoot) is not var (major, minor))
            Assert.Contains(props.Warnings!, w => w.Contains("QoS", StringComparison.Ordinal));
        else
        {
            var lines = File.ReadAllLines($"/proc/{props.Summary.Pid}/cgroup");
            var blkio = lines.FirstOrDefault(l => l.Split(':')[1].Split(',').Contains("blkio"));
            var text = blkio is not null
                ? File.ReadAllText($"/sys/fs/cgroup/blkio{blkio.Split(':')[2]}/blkio.throttle.read_iops_device")
                : File.ReadAllText($"/sys/fs/cgroup{lines.Single(l => l.StartsWith("0::", StringComparison.Ordinal))[3..]}/io.max");
            Assert.Contains($"{major}:{minor}", text);
            Assert.Contains("500", text);
        }
        await system.DeleteAsync();
    }
}
