using System.Diagnostics;
using System.Text.Json;
using Carton.EngineTests.Infrastructure;
using Grpc.Core;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Carton.EngineTests.Cri;

/// <summary>
/// The Kubernetes path: the calls a kubelet makes through CRI to containerd, whose runc shim runs carton because the
/// pod names the "carton" runtime handler (what a RuntimeClass with handler: carton does). There is no kubelet and no
/// API server here: the tests are the kubelet. Pods use the host's network, so no CNI plugin is involved.
/// </summary>
public sealed class CriTests : IClassFixture<CriContainerd>
{
    /// <summary>The container's command: says it started, then waits; on SIGTERM says so and exits 42. As pid 1 of
    /// its pid namespace the shell gets SIGTERM only because it traps it, so a 42 proves the stop signal arrived and
    /// was not replaced by the SIGKILL that follows the timeout (137).</summary>
    private const string AppScript =
        "echo started; trap 'echo got TERM; exit 42' TERM; while :; do sleep 3600 & wait $!; done";

    private const long MemoryLimit = 64L * 1024 * 1024;

    private readonly CriContainerd _cri;
    private readonly ITestOutputHelper _output;

    public CriTests(CriContainerd cri, ITestOutputHelper output)
    {
        _cri = cri;
        _output = output;
    }

    [Fact]
    public async Task Version_IsContainerd_SpeakingCriV1()
    {
        var version = await Cri("Version", c => c.VersionAsync(new VersionRequest { Version = "v1" }));

        Assert.Equal("containerd", version.RuntimeName);
        Assert.Equal("v1", version.RuntimeApiVersion);
        Assert.False(string.IsNullOrEmpty(version.RuntimeVersion), "containerd reported no version of its own");
    }

    [Fact]
    public async Task Images_ImportedLocally_AreListedAndResolvable()
    {
        var images = await Cri("ListImages", c => c.ListImagesAsync(new ListImagesRequest()));
        var tags = images.Images.SelectMany(i => i.RepoTags).ToList();
        Assert.Contains(CriContainerd.BusyboxImage, tags);
        Assert.Contains(CriContainerd.PauseImage, tags);

        var status = await Cri("ImageStatus", c => c.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = CriContainerd.BusyboxImage } }));
        Assert.NotNull(status.Image);
        Assert.StartsWith("sha256:", status.Image.Id);

        // An image nobody imported is absent, not an error: CRI reports it by leaving the image out.
        var missing = await Cri("ImageStatus", c => c.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = "carton.test/absent:1" } }));
        Assert.Null(missing.Image);
    }

    /// <summary>The handler is what picks the runtime: a name the config lacks is refused before anything runs.</summary>
    [Fact]
    public async Task UnknownRuntimeHandler_IsRefused()
    {
        var (config, _) = PodConfig("refused", KubeletNamespaces());
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            _cri.Client.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config, RuntimeHandler = "no-such-handler" }));
        Assert.Contains("no-such-handler", e.Status.Detail);
    }

    [Fact]
    public async Task Pod_RunsUnderCarton_FromSandboxToRemoval()
    {
        var clock = Stopwatch.StartNew();
        var pod = await RunPod("carton-cri-pod", KubeletNamespaces());
        Step(clock, "RunPodSandbox " + pod.Id);
        var status = await Cri("PodSandboxStatus", c => c.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = pod.Id }));
        Assert.Equal(NamespaceMode.Node, status.Status?.Linux?.NamespaceOptions?.Network);

        // The container, as the kubelet creates it: its namespaces, limits and log file.
        var config = AppContainer("app", AppScript, KubeletNamespaces());
        config.Linux!.Resources = new LinuxContainerResources { MemoryLimitInBytes = MemoryLimit, CpuShares = 512 };
        config.Envs.Add(new KeyValue { Key = "GREETING", Value = "hello-from-cri" });
        var app = await StartContainer(pod, config);
        Step(clock, "CreateContainer, StartContainer " + app.Id);

        var listed = await Cri("ListContainers", c => c.ListContainersAsync(new ListContainersRequest { Filter = new ContainerFilter { PodSandboxId = pod.Id } }));
        var only = Assert.Single(listed.Containers);
        Assert.Equal((app.Id, ContainerState.Running, "app"), (only.Id, only.State, only.Metadata?.Name));

        // The container's stdout reaches its CRI log file through the shim's fifos.
        var logFile = Path.Combine(pod.Config.LogDirectory, config.LogPath);
        await Eventually(() => ReadLog(logFile).Contains("stdout F started"), TimeSpan.FromSeconds(10),
            () => $"the container's 'started' never reached {logFile}: [{ReadLog(logFile)}]");

        // The limits are on the cgroup CRI asked for: the pod's cgroup parent and the container's id.
        Assert.Equal(MemoryLimit.ToString(), File.ReadAllText(MemoryCgroupFile(pod.CgroupParent + "/" + app.Id, "memory.limit_in_bytes", "memory.max")).Trim());

        // ExecSync: carton exec in the running container, as exec probes use it.
        var echo = await Exec(app.Id, "echo", "hello from exec");
        Assert.Equal((0, "hello from exec\n"), (echo.ExitCode, echo.StdoutText));
        var id = await Exec(app.Id, "id");
        Assert.Equal(0, id.ExitCode);
        Assert.StartsWith("uid=0(root) gid=0(root)", id.StdoutText);
        // Host network brings the host's UTS namespace with it (containerd leaves both out of the spec).
        var hostname = await Exec(app.Id, "hostname");
        Assert.Equal((0, File.ReadAllText("/proc/sys/kernel/hostname").Trim()), (hostname.ExitCode, hostname.StdoutText.Trim()));
        var env = await Exec(app.Id, "sh", "-c", "echo $GREETING");
        Assert.Equal("hello-from-cri\n", env.StdoutText);
        var failing = await Exec(app.Id, "sh", "-c", "echo to-stderr >&2; exit 3");
        Assert.Equal((3, "", "to-stderr\n"), (failing.ExitCode, failing.StdoutText, failing.StderrText));
        Step(clock, "ExecSync x5");

        // Namespaces: the host's network, the sandbox's IPC (joined by path through the pause process), a pid
        // namespace of the container's own.
        var netNs = await Exec(app.Id, "readlink", "/proc/self/ns/net");
        Assert.Equal(NamespaceOf("self", "net"), netNs.StdoutText.Trim());
        var ipcNs = await Exec(app.Id, "readlink", "/proc/self/ns/ipc");
        Assert.Equal(NamespaceOf(pod.Pid.ToString(), "ipc"), ipcNs.StdoutText.Trim());
        Assert.NotEqual(NamespaceOf("self", "ipc"), ipcNs.StdoutText.Trim());
        var pidNs = await Exec(app.Id, "readlink", "/proc/self/ns/pid");
        Assert.NotEqual(NamespaceOf(pod.Pid.ToString(), "pid"), pidNs.StdoutText.Trim());
        Assert.NotEqual(NamespaceOf("self", "pid"), pidNs.StdoutText.Trim());

        // A command that cannot start is an error of the exec call (as with runc), not an exit code.
        var missing = await Assert.ThrowsAsync<RpcException>(() =>
            _cri.Client.ExecSyncAsync(Command(app.Id, "/no/such/binary")));
        Assert.Contains("/no/such/binary", missing.Status.Detail);
        Step(clock, "ExecSync namespaces and a missing binary");

        // StopContainer: SIGTERM, then SIGKILL after the timeout; the trap makes the container exit 42 long before.
        var stopClock = Stopwatch.StartNew();
        await Cri("StopContainer", c => c.StopContainerAsync(new StopContainerRequest { ContainerId = app.Id, Timeout = 30 }));
        Step(clock, "StopContainer");
        Assert.True(stopClock.Elapsed < TimeSpan.FromSeconds(20), $"StopContainer took {stopClock.Elapsed}: the container did not exit on SIGTERM");
        var exited = await Status(app.Id);
        Assert.Equal((ContainerState.Exited, 42, "Error"), (exited.State, exited.ExitCode, exited.Reason));
        Assert.True(exited.FinishedAt >= exited.StartedAt && exited.StartedAt > 0, $"started {exited.StartedAt}, finished {exited.FinishedAt}");
        await Eventually(() => ReadLog(logFile).Contains("stdout F got TERM"), TimeSpan.FromSeconds(10),
            () => $"the container's 'got TERM' never reached {logFile}: [{ReadLog(logFile)}]");
        // containerd deletes an exited task at once, through the shim: carton delete.
        await Eventually(() => !CartonList().ContainsKey(app.Id), TimeSpan.FromSeconds(10),
            () => $"carton still lists the stopped container {app.Id}");

        await RemoveContainer(pod, app.Id);
        Step(clock, "RemoveContainer");
        await RemovePod(pod, app.Pid);
        Step(clock, "StopPodSandbox, RemovePodSandbox, no leftovers");
    }

    /// <summary>
    /// shareProcessNamespace: true and a non-root user. The container joins the sandbox's pid namespace, where the
    /// pause process is pid 1, so when the container's shell exits its background children live on, re-parented to
    /// the pause. Two runtime calls can end them: the shim's `carton kill --all ID 9` (it sends it whenever a
    /// container has no pid namespace of its own) and then `carton delete`, which kills what is left in the
    /// container's cgroup (as runc's does). The test checks the outcome the kubelet relies on: none of the
    /// container's processes survive its stop, and the pod's pause process does.
    /// </summary>
    [Fact]
    public async Task SharedPidNamespace_NonRootContainer_StopKillsAllItsProcesses()
    {
        var clock = Stopwatch.StartNew();
        var shared = new NamespaceOption { Network = NamespaceMode.Node, Pid = NamespaceMode.Pod, Ipc = NamespaceMode.Pod };
        var pod = await RunPod("carton-cri-shared-pid", shared);
        Step(clock, "RunPodSandbox " + pod.Id);

        var config = AppContainer("nobody", "trap 'exit 0' TERM; sleep 3600 & sleep 3601 & wait", shared);
        config.Linux!.SecurityContext!.RunAsUser = new Int64Value { Value = 65534 };
        var app = await StartContainer(pod, config);
        Step(clock, "CreateContainer, StartContainer " + app.Id);

        var id = await Exec(app.Id, "id");
        Assert.Equal(0, id.ExitCode);
        Assert.StartsWith("uid=65534(nobody) gid=65534(nogroup)", id.StdoutText);
        // pid 1 of the namespace the container sees is the pause process.
        var init = await Exec(app.Id, "cat", "/proc/1/cmdline");
        Assert.Equal(File.ReadAllText($"/proc/{pod.Pid}/cmdline"), init.StdoutText);
        Assert.Equal(NamespaceOf(pod.Pid.ToString(), "pid"), (await Exec(app.Id, "readlink", "/proc/self/ns/pid")).StdoutText.Trim());

        // The shell and its two sleeps, by host pid, from the container's cgroup.
        var procs = MemoryCgroupFile(pod.CgroupParent + "/" + app.Id, "cgroup.procs", "cgroup.procs");
        await Eventually(() => ReadPids(procs).Count >= 3, TimeSpan.FromSeconds(10),
            () => $"expected the shell and two sleeps in {procs}: [{string.Join(", ", ReadPids(procs))}]");
        var processes = ReadPids(procs);
        Assert.Contains(app.Pid, processes);
        Assert.All(processes, p => Assert.True(Leftovers.IsAlive(p), $"{p} from {procs} is not running"));
        Step(clock, "ExecSync id, pid 1");

        await Cri("StopContainer", c => c.StopContainerAsync(new StopContainerRequest { ContainerId = app.Id, Timeout = 30 }));
        Step(clock, "StopContainer");
        var exited = await Status(app.Id);
        Assert.Equal((ContainerState.Exited, 0, "Completed"), (exited.State, exited.ExitCode, exited.Reason));
        await Eventually(() => !processes.Any(Leftovers.IsAlive), TimeSpan.FromSeconds(10),
            () => "processes of the stopped container still run: " + string.Join(", ", processes.Where(Leftovers.IsAlive)));
        Assert.True(Leftovers.IsAlive(pod.Pid), "stopping one container killed its pod's pause process");

        await RemoveContainer(pod, app.Id);
        await RemovePod(pod, [.. processes]);
        Step(clock, "RemoveContainer, StopPodSandbox, RemovePodSandbox, no leftovers");
    }

    /// <summary>A running pod: its id, its config (the containers need it again), its cgroup parent and the pause pid.</summary>
    private sealed record Pod(string Id, PodSandboxConfig Config, string CgroupParent, int Pid);

    /// <summary>RunPodSandbox with the carton handler; checks that the sandbox is ready and that carton runs it.</summary>
    private async Task<Pod> RunPod(string name, NamespaceOption namespaces)
    {
        var (config, cgroupParent) = PodConfig(name, namespaces);
        var id = (await Cri("RunPodSandbox", c => c.RunPodSandboxAsync(
            new RunPodSandboxRequest { Config = config, RuntimeHandler = CriContainerd.Handler }))).PodSandboxId;

        var sandbox = await Cri("PodSandboxStatus", c => c.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = id, Verbose = true }));
        Assert.NotNull(sandbox.Status);
        Assert.Equal(PodSandboxState.Ready, sandbox.Status.State);
        Assert.Equal(CriContainerd.Handler, sandbox.Status.RuntimeHandler);
        var info = VerboseInfo(sandbox.Info);
        Assert.Contains(Paths.Carton, info.GetProperty("runtimeOptions").GetRawText());
        var pid = info.GetProperty("pid").GetInt32();
        Assert.True(Leftovers.IsAlive(pid), $"the sandbox's pid {pid} is not running");

        // Carton's own state agrees: the shim ran carton, not runc, and carton knows the pause process.
        var known = CartonList();
        Assert.True(known.TryGetValue(id, out var state), $"carton does not know the sandbox {id}: {string.Join(", ", known.Keys)}");
        Assert.Equal(("running", pid), state);
        return new Pod(id, config, cgroupParent, pid);
    }

    /// <summary>A busybox container running <paramref name="script"/>, logging to NAME.log.</summary>
    private static ContainerConfig AppContainer(string name, string script, NamespaceOption namespaces)
    {
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = name },
            Image = new ImageSpec { Image = CriContainerd.BusyboxImage },
            LogPath = name + ".log",
            Linux = new LinuxContainerConfig { SecurityContext = new LinuxContainerSecurityContext { NamespaceOptions = namespaces } },
        };
        config.Command.AddRange(["/bin/sh", "-c", script]);
        return config;
    }

    /// <summary>CreateContainer and StartContainer; checks the states on the way and that carton runs it.</summary>
    private async Task<(string Id, int Pid)> StartContainer(Pod pod, ContainerConfig config)
    {
        var id = (await Cri("CreateContainer", c => c.CreateContainerAsync(
            new CreateContainerRequest { PodSandboxId = pod.Id, Config = config, SandboxConfig = pod.Config }))).ContainerId;
        Assert.Equal(ContainerState.Created, (await Status(id)).State);

        await Cri("StartContainer", c => c.StartContainerAsync(new StartContainerRequest { ContainerId = id }));
        var running = await Cri("ContainerStatus", c => c.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id, Verbose = true }));
        Assert.NotNull(running.Status);
        Assert.Equal(ContainerState.Running, running.Status.State);
        Assert.True(running.Status.StartedAt > 0, "a running container has no start time");
        var pid = VerboseInfo(running.Info).GetProperty("pid").GetInt32();

        var known = CartonList();
        Assert.True(known.TryGetValue(id, out var state), $"carton does not know the container {id}: {string.Join(", ", known.Keys)}");
        Assert.Equal(("running", pid), state);
        return (id, pid);
    }

    private async Task RemoveContainer(Pod pod, string id)
    {
        await Cri("RemoveContainer", c => c.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = id }));
        var gone = await Assert.ThrowsAsync<RpcException>(() => _cri.Client.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id }));
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Empty((await Cri("ListContainers", c => c.ListContainersAsync(new ListContainersRequest
        {
            Filter = new ContainerFilter { PodSandboxId = pod.Id },
        }))).Containers);
    }

    /// <summary>StopPodSandbox and RemovePodSandbox, then checks that nothing of the pod is left on the host.</summary>
    private async Task RemovePod(Pod pod, params int[] containerPids)
    {
        await Cri("StopPodSandbox", c => c.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = pod.Id }));
        var stopped = await Cri("PodSandboxStatus", c => c.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = pod.Id }));
        Assert.Equal(PodSandboxState.NotReady, stopped.Status?.State);
        await Eventually(() => !CartonList().ContainsKey(pod.Id), TimeSpan.FromSeconds(10),
            () => $"carton still lists the stopped sandbox {pod.Id}");

        await Cri("RemovePodSandbox", c => c.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = pod.Id }));
        var removed = await Assert.ThrowsAsync<RpcException>(() => _cri.Client.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = pod.Id }));
        Assert.Equal(StatusCode.NotFound, removed.StatusCode);

        // Nothing left: the shim exits once its last task is deleted, and takes the mounts and cgroups with it.
        await Eventually(() => Leftovers.ShimsOf(_cri.Socket).Count == 0, TimeSpan.FromSeconds(15),
            () => "shims still running: " + string.Join(", ", Leftovers.ShimsOf(_cri.Socket)));
        Assert.False(Leftovers.IsAlive(pod.Pid), $"the pause process {pod.Pid} outlived its pod");
        foreach (var pid in containerPids) Assert.False(Leftovers.IsAlive(pid), $"the container's process {pid} outlived its pod");
        Assert.Empty(Leftovers.MountsUnder(_cri.Dir));
        Assert.Empty(Leftovers.CgroupsUnder(pod.CgroupParent));
        Assert.Empty(CartonList());
    }

    /// <summary>A pod as the kubelet describes it, with host networking and a cgroup parent of its own.</summary>
    private (PodSandboxConfig Config, string CgroupParent) PodConfig(string name, NamespaceOption namespaces)
    {
        var uid = Guid.NewGuid().ToString();
        var cgroupParent = $"{_cri.CgroupParent}/pod{uid}";
        var config = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = name, Uid = uid, Namespace = "default" },
            LogDirectory = Path.Combine(_cri.Dir, "pods", uid),
            Linux = new LinuxPodSandboxConfig
            {
                CgroupParent = cgroupParent,
                SecurityContext = new LinuxSandboxSecurityContext { NamespaceOptions = namespaces },
            },
        };
        config.Labels["io.kubernetes.pod.name"] = name;
        Directory.CreateDirectory(config.LogDirectory);
        return (config, cgroupParent);
    }

    /// <summary>A pod with hostNetwork: true and the kubelet's defaults otherwise (pid per container, ipc per pod).</summary>
    private static NamespaceOption KubeletNamespaces() =>
        new() { Network = NamespaceMode.Node, Pid = NamespaceMode.Container, Ipc = NamespaceMode.Pod };

    private Task<ContainerStatus> Status(string containerId) =>
        Cri("ContainerStatus", async c => (await c.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = containerId })).Status
                                          ?? throw new XunitException("ContainerStatus returned no status"));

    private Task<ExecSyncResponse> Exec(string containerId, params string[] cmd) =>
        Cri("ExecSync " + string.Join(' ', cmd), c => c.ExecSyncAsync(Command(containerId, cmd)));

    private static ExecSyncRequest Command(string containerId, params string[] cmd)
    {
        var request = new ExecSyncRequest { ContainerId = containerId, Timeout = 30 };
        request.Cmd.AddRange(cmd);
        return request;
    }

    /// <summary>A CRI call whose failure is reported with containerd's log, where the shim's and carton's errors are.</summary>
    private async Task<T> Cri<T>(string what, Func<CriClient, Task<T>> call)
    {
        try
        {
            return await call(_cri.Client);
        }
        catch (RpcException e)
        {
            throw new XunitException($"{what} failed: {e.StatusCode}: {e.Status.Detail}\n{_cri.LogTail()}");
        }
    }

    /// <summary>containerd's verbose status: a JSON document under "info" (pid, runtime options, spec, ...).</summary>
    private static JsonElement VerboseInfo(Dictionary<string, string> info)
    {
        Assert.True(info.TryGetValue("info", out var json), "the verbose status has no \"info\": " + string.Join(", ", info.Keys));
        return JsonDocument.Parse(json).RootElement;
    }

    /// <summary>`carton list -f json` on the shim's root: id → (status, pid).</summary>
    private Dictionary<string, (string Status, int Pid)> CartonList()
    {
        var list = _cri.Carton("list", "-f", "json");
        Assert.True(list.Succeeded, list.ToString());
        var text = list.Stdout.Trim();
        var result = new Dictionary<string, (string, int)>();
        if (text is "" or "null") return result;
        foreach (var c in JsonDocument.Parse(text).RootElement.EnumerateArray())
            result[c.GetProperty("id").GetString()!] = (c.GetProperty("status").GetString()!, c.GetProperty("pid").GetInt32());
        return result;
    }

    private static string NamespaceOf(string pid, string type) =>
        new FileInfo($"/proc/{pid}/ns/{type}").LinkTarget ?? throw new XunitException($"/proc/{pid}/ns/{type} is not a link");

    /// <summary>A file of a cgroup given from the hierarchy root: in cgroup v1's memory hierarchy, else in cgroup v2's.</summary>
    private static string MemoryCgroupFile(string cgroup, string v1Name, string v2Name)
    {
        var v1 = Path.Combine("/sys/fs/cgroup/memory", cgroup.TrimStart('/'), v1Name);
        var v2 = Path.Combine("/sys/fs/cgroup", cgroup.TrimStart('/'), v2Name);
        var file = Directory.Exists("/sys/fs/cgroup/memory") ? v1 : v2;
        Assert.True(File.Exists(file), $"no cgroup at {cgroup}: {file} does not exist");
        return file;
    }

    private static List<int> ReadPids(string procs) =>
        [.. File.ReadAllLines(procs).Where(l => l.Length > 0).Select(int.Parse)];

    private static string ReadLog(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static async Task Eventually(Func<bool> condition, TimeSpan timeout, Func<string> failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new XunitException($"after {timeout.TotalSeconds} s: {failure()}");
            await Task.Delay(100);
        }
    }

    private void Step(Stopwatch clock, string what) => _output.WriteLine($"{clock.Elapsed.TotalSeconds,7:F2} s  {what}");
}
