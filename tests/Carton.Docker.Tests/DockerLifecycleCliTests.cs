namespace Carton.Docker.Tests;

/// <summary>
/// Issue 17's rest of the lifecycle and observation through the real docker CLIs (both where a theory runs them):
/// pause/unpause, rename, update (read back from inspect and from the container's cgroup files on the host), the
/// three prunes, top, diff, stats --no-stream and system df, and the errors of bad input in dockerd's words.
/// </summary>
[Collection("docker")]
public sealed class DockerLifecycleCliTests(DockerFixture fixture) : DockerCliTestBase(fixture)
{
    private string RunSleeper(string cli, string name, params string[] extra) =>
        Ok(cli, ["run", "-d", "--name", name, .. extra, Image(), "sleep", "300"]).Trim();

    // ---- pause / unpause ----

    [DockerTheory, CliData(Debian), CliData(New)]
    public void PauseUnpause_PsShowsPaused_ExecRefused_AndTheConflicts(string cli)
    {
        var name = Unique("pause");
        try
        {
            var id = RunSleeper(cli, name);
            Ok(cli, "pause", name);
            Assert.Equal("paused true", Ok(cli, "inspect", "--format", "{{.State.Status}} {{.State.Paused}}", name).Trim());
            Assert.EndsWith("(Paused)", Ok(cli, "ps", "--filter", $"name=^{name}$", "--format", "{{.Status}}").Trim());
            var exec = fx.Docker(cli, "exec", name, "true");
            Assert.NotEqual(0, exec.Exit);
            Assert.Contains($"Container {id} is paused, unpause the container before exec", exec.Err);

            var again = fx.Docker(cli, "pause", name);
            Assert.NotEqual(0, again.Exit);
            Assert.Contains($"Container {id} is already paused", again.Err);

            Ok(cli, "unpause", name);
            Assert.Equal("running false", Ok(cli, "inspect", "--format", "{{.State.Status}} {{.State.Paused}}", name).Trim());
            Assert.Equal("ok\n", Ok(cli, "exec", name, "echo", "ok"));
            var notPaused = fx.Docker(cli, "unpause", name);
            Assert.NotEqual(0, notPaused.Exit);
            Assert.Contains($"Container {id} is not paused", notPaused.Err);

            Ok(cli, "stop", "-t", "0", name);
            var stopped = fx.Docker(cli, "pause", name);
            Assert.NotEqual(0, stopped.Exit);
            Assert.Contains($"Container {id} is not running", stopped.Err);
        }
        finally
        {
            Remove(name);
        }
    }

    [DockerFact]
    public void Pause_FreezesTheProcesses()
    {
        var name = Unique("freeze");
        try
        {
            RunSleeper(Debian, name);
            var pid = Ok(Debian, "inspect", "--format", "{{.State.Pid}}", name).Trim();
            Ok(Debian, "pause", name);
            // the container's cgroup is frozen, then thawed
            Assert.Equal("FROZEN", FreezerState(pid));
            Ok(Debian, "unpause", name);
            Assert.Equal("THAWED", FreezerState(pid));
        }
        finally
        {
            Remove(name);
        }
    }

    // ---- rename ----

    [DockerTheory, CliData(Debian), CliData(New)]
    public void Rename_ChangesTheName_AndRefusesATakenOne(string cli)
    {
        var a = Unique("ren-a");
        var b = Unique("ren-b");
        var c = Unique("ren-c");
        try
        {
            var id = RunSleeper(cli, a);
            RunSleeper(cli, b);
            Ok(cli, "rename", a, c);
            Assert.Equal("/" + c, Ok(cli, "inspect", "--format", "{{.Name}}", id).Trim());
            Assert.Empty(AllNames(cli, a));
            Assert.Single(AllNames(cli, c));
            Assert.NotEqual(0, fx.Docker(cli, "inspect", a).Exit);

            var taken = fx.Docker(cli, "rename", c, b);
            Assert.NotEqual(0, taken.Exit);
            Assert.Contains($"The container name \"/{b}\" is already in use by container", taken.Err);
            Assert.Equal("/" + c, Ok(cli, "inspect", "--format", "{{.Name}}", id).Trim());

            var same = fx.Docker(cli, "rename", c, c);
            Assert.NotEqual(0, same.Exit);
            Assert.Contains("Renaming a container with the same name as its current name", same.Err);

            var bad = fx.Docker(cli, "rename", c, "no/slash");
            Assert.NotEqual(0, bad.Exit);
            Assert.Contains("Invalid container name (no/slash)", bad.Err);

            // the old name is free again in the name index (a container on no network can take it: on a network the
            // renamed container's endpoint keeps it as a DNS name, see docs/docker-api.md)
            Ok(cli, "create", "--name", a, "--network", "none", Image(), "true");
        }
        finally
        {
            Remove(a, b, c);
        }
    }

    // ---- update ----

    [DockerTheory, CliData(Debian), CliData(New)]
    public void Update_MemoryCpusPids_ReachTheCgroupAndInspect(string cli)
    {
        var name = Unique("upd");
        try
        {
            RunSleeper(cli, name);
            var pid = Ok(cli, "inspect", "--format", "{{.State.Pid}}", name).Trim();
            Ok(cli, "update", "--memory", "64m", "--cpus", "0.5", "--pids-limit", "50", name);
            Assert.Equal("67108864 500000000 50",
                Ok(cli, "inspect", "--format", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}", name).Trim());
            Assert.Equal("67108864", CgroupValue(pid, "memory", "memory.limit_in_bytes", "memory.max"));
            Assert.Equal("50000", CgroupValue(pid, "cpu", "cpu.cfs_quota_us", "cpu.max").Split(' ')[0]);
            Assert.Equal("50", CgroupValue(pid, "pids", "pids.max", "pids.max"));

            // a second update changes one group and leaves the others
            Ok(cli, "update", "--pids-limit", "70", name);
            Assert.Equal("70", CgroupValue(pid, "pids", "pids.max", "pids.max"));
            Assert.Equal("67108864", CgroupValue(pid, "memory", "memory.limit_in_bytes", "memory.max"));
            Assert.Equal("50000", CgroupValue(pid, "cpu", "cpu.cfs_quota_us", "cpu.max").Split(' ')[0]);

            var tooSmall = fx.Docker(cli, "update", "--memory", "1m", name);
            Assert.NotEqual(0, tooSmall.Exit);
            Assert.Contains("Minimum memory limit allowed is 6MB", tooSmall.Err);
            Assert.Equal("67108864", Ok(cli, "inspect", "--format", "{{.HostConfig.Memory}}", name).Trim());
        }
        finally
        {
            Remove(name);
        }
    }

    [DockerFact]
    public async Task Update_NegativeMemory_Is400_AndAStoppedContainerGetsItsLimitsAtStart()
    {
        var name = Unique("updneg");
        try
        {
            var id = RunSleeper(Debian, name);
            var response = await fx.RawAsync(PostJson($"/v1.41/containers/{id}/update", "{\"Memory\": -1}"));
            Assert.StartsWith("HTTP/1.1 400", response);
            Assert.Contains("Minimum memory limit allowed is 6MB", response);

            Ok(Debian, "stop", "-t", "0", name);
            Ok(Debian, "update", "--pids-limit", "33", name);
            Assert.Equal("33", Ok(Debian, "inspect", "--format", "{{.HostConfig.PidsLimit}}", name).Trim());
            Ok(Debian, "start", name);
            var pid = Ok(Debian, "inspect", "--format", "{{.State.Pid}}", name).Trim();
            Assert.Equal("33", CgroupValue(pid, "pids", "pids.max", "pids.max"));
        }
        finally
        {
            Remove(name);
        }
    }

    // ---- prune ----

    [DockerTheory, CliData(Debian), CliData(New)]
    public void ContainerPrune_RemovesStoppedOnes_ThatPassTheFilter(string cli)
    {
        var label = "carton.test=" + Unique("prune");
        var stopped = Unique("prune-stopped");
        var other = Unique("prune-other");
        var running = Unique("prune-running");
        try
        {
            var stoppedId = Ok(cli, "create", "--label", label, "--name", stopped, Image(), "true").Trim();
            Ok(cli, "create", "--name", other, Image(), "true");
            RunSleeper(cli, running, "--label", label);
            var output = Ok(cli, "container", "prune", "-f", "--filter", "label=" + label);
            Assert.Contains(stoppedId, output);
            Assert.Empty(AllNames(cli, stopped));
            Assert.Single(AllNames(cli, other));
            Assert.Single(AllNames(cli, running));
        }
        finally
        {
            Remove(stopped, other, running);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void NetworkPrune_RemovesUnusedUserNetworks(string cli)
    {
        var unused = Unique("net-unused");
        var used = Unique("net-used");
        var user = Unique("net-user");
        try
        {
            Ok(cli, "network", "create", unused);
            Ok(cli, "network", "create", used);
            RunSleeper(cli, user, "--network", used);
            var output = Ok(cli, "network", "prune", "-f");
            Assert.Contains(unused, output);
            Assert.DoesNotContain(used, output);
            var names = Ok(cli, "network", "ls", "--format", "{{.Name}}").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.DoesNotContain(unused, names);
            Assert.Contains(used, names);
            Assert.Contains("bridge", names);
        }
        finally
        {
            Remove(user);
            fx.Docker(Debian, "network", "rm", unused);
            fx.Docker(Debian, "network", "rm", used);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void ImagePrune_DefaultKeepsTaggedImages_AllWithA_KeepsWhatAContainerUses(string cli)
    {
        var unique = Unique("lc");
        var label = "carton.test=" + unique;
        var (repo, _) = PushLabelledImage(unique);
        var user = Unique("img-user");
        try
        {
            Ok(cli, "pull", $"{repo}:v1");
            var id = Ok(cli, "image", "inspect", "--format", "{{.Id}}", $"{repo}:v1").Trim();

            // tagged: not dangling, so the default prune keeps it
            Ok(cli, "image", "prune", "-f", "--filter", "label=" + label);
            Assert.Equal(0, fx.Docker(cli, "image", "inspect", id).Exit);

            // -a: every unused image; one a container was made from stays until the container goes
            Ok(cli, "create", "--name", user, $"{repo}:v1", "true");
            Ok(cli, "image", "prune", "-a", "-f", "--filter", "label=" + label);
            Assert.Equal(0, fx.Docker(cli, "image", "inspect", id).Exit);
            Ok(cli, "rm", user);
            var all = Ok(cli, "image", "prune", "-a", "-f", "--filter", "label=" + label);
            Assert.Contains($"untagged: {repo}:v1", all);
            Assert.Contains("deleted: " + id, all);
            Assert.NotEqual(0, fx.Docker(cli, "image", "inspect", id).Exit);
            // busybox, unlabelled, was not touched
            Assert.Equal(0, fx.Docker(cli, "image", "inspect", Image()).Exit);
        }
        finally
        {
            Remove(user);
            fx.Docker(Debian, "rmi", "-f", $"{repo}:v1");
        }
    }

    // ---- top, diff, stats, system df ----

    [DockerTheory, CliData(Debian), CliData(New)]
    public void Top_ListsTheContainersProcesses_AndRefusesAStoppedOne(string cli)
    {
        var name = Unique("top");
        var other = Unique("top-other");
        try
        {
            var id = Ok(cli, "run", "-d", "--name", name, Image(), "sh", "-c", "sleep 301 & exec sleep 300").Trim();
            RunSleeper(cli, other);
            Eventually(() => Ok(cli, "top", name).Contains("sleep 301", StringComparison.Ordinal), "the child process in top");
            var top = Ok(cli, "top", name).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Matches(@"^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$", top[0]);
            Assert.Contains(top, l => l.EndsWith("sleep 300", StringComparison.Ordinal));
            // the other container's sleep 300 is not this container's
            Assert.Single(top, l => l.EndsWith("sleep 300", StringComparison.Ordinal));

            var custom = Ok(cli, "top", name, "-o", "pid,comm").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Matches(@"^PID\s+COMMAND$", custom[0]);
            Assert.Contains(custom, l => l.EndsWith("sleep", StringComparison.Ordinal));

            Ok(cli, "stop", "-t", "0", name);
            var stopped = fx.Docker(cli, "top", name);
            Assert.NotEqual(0, stopped.Exit);
            Assert.Contains($"Container {id} is not running", stopped.Err);
        }
        finally
        {
            Remove(name, other);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void Diff_ShowsAddedChangedAndDeleted(string cli)
    {
        var name = Unique("diff");
        try
        {
            Ok(cli, "run", "--name", name, Image(), "sh", "-c", "mkdir /newdir && echo hi > /newdir/f && rm /bin/ls");
            var lines = Ok(cli, "diff", name).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("A /newdir", lines);
            Assert.Contains("A /newdir/f", lines);
            Assert.Contains("C /bin", lines);
            Assert.Contains("D /bin/ls", lines);
            Assert.DoesNotContain(lines, l => l.EndsWith(" /bin/sh", StringComparison.Ordinal));
        }
        finally
        {
            Remove(name);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void StatsNoStream_ShowsTheContainersMemory(string cli)
    {
        var name = Unique("stats");
        try
        {
            // a shell that holds some memory of its own (a 4 MiB variable)
            Ok(cli, "run", "-d", "--name", name, "--memory", "256m", Image(), "sh", "-c", "x=$(head -c 4194304 /dev/zero | tr '\\0' a); sleep 300");
            var row = Ok(cli, "stats", "--no-stream", "--format", "{{.Name}}|{{.MemUsage}}|{{.PIDs}}", name).Trim();
            var parts = row.Split('|');
            Assert.Equal(name, parts[0]);
            Assert.Matches(@"^[0-9.]+[KMG]iB / 256MiB$", parts[1]);
            Assert.False(parts[1].StartsWith("0B", StringComparison.Ordinal), row);
            Assert.NotEqual("0", parts[2]);
        }
        finally
        {
            Remove(name);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void SystemDf_CountsImagesAndContainers(string cli)
    {
        var name = Unique("df");
        try
        {
            Ok(cli, "run", "--name", name, Image(), "sh", "-c", "head -c 100000 /dev/zero > /big");
            var summary = Ok(cli, "system", "df");
            Assert.Matches(@"(?m)^Images\s+[1-9][0-9]*\s+[1-9][0-9]*\s+", summary);
            Assert.Matches(@"(?m)^Containers\s+[1-9][0-9]*\s+", summary);
            Assert.Matches(@"(?m)^Local Volumes\s+0\s+0\s+", summary);
            var verbose = Ok(cli, "system", "df", "-v");
            // the container's row: its writable layer holds the 100 kB file
            Assert.Matches($@"(?m)^[0-9a-f]{{12}}\s+.*\s1\d\d(\.\d+)?kB\s+.*\s{name}$", verbose);
        }
        finally
        {
            Remove(name);
        }
    }

    // ---- helpers ----

    /// <summary>busybox with a label of its own (a new config, so a new image id), pushed as REPO:v1; its digest.</summary>
    private (string Repo, string Digest) PushLabelledImage(string unique)
    {
        var layout = Path.Combine(fx.Dir, "layout-" + unique);
        try
        {
            Check(DockerFixture.Run("cp", "-a", Path.Combine(fx.Dir, "layout"), layout), "cp layout");
            Check(DockerFixture.Run("umoci", "config", "--image", $"{layout}:busybox:latest", "--tag", "labelled", "--config.label", $"carton.test={unique}"), "umoci config");
            var repo = $"{fx.Registry.Host}/{unique}";
            var digestFile = layout + ".digest";
            Check(fx.InNetns("skopeo", "copy", "--quiet", "--dest-tls-verify=false", "--digestfile", digestFile, $"oci:{layout}:labelled", $"docker://{repo}:v1"), "skopeo copy");
            var digest = File.ReadAllText(digestFile).Trim();
            File.Delete(digestFile);
            return (repo, digest);
        }
        finally
        {
            DockerFixture.Run("rm", "-rf", layout);
        }
    }

    private static void Check((int Exit, string Out, string Err) r, string what) =>
        Assert.True(r.Exit == 0, $"{what} exited {r.Exit}: {r.Err}{r.Out}");

    /// <summary>A cgroup file of process <paramref name="pid"/> read on the host: the v1 hierarchy of
    /// <paramref name="controller"/> when there is one, else the unified hierarchy.</summary>
    private static string CgroupValue(string pid, string controller, string v1File, string v2File)
    {
        string? unified = null;
        foreach (var line in File.ReadAllLines($"/proc/{pid}/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts[1].Length == 0) { unified = parts[2]; continue; }
            if (parts[1].Split(',').Contains(controller))
                return File.ReadAllText($"/sys/fs/cgroup/{parts[1]}{parts[2]}/{v1File}").Trim();
        }
        Assert.NotNull(unified);
        var root = Directory.Exists("/sys/fs/cgroup/unified") ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup";
        return File.ReadAllText($"{root}{unified}/{v2File}").Trim();
    }

    /// <summary>The freezer state of process <paramref name="pid"/>'s cgroup (v1 freezer.state; v2 cgroup.freeze).</summary>
    private static string FreezerState(string pid)
    {
        foreach (var line in File.ReadAllLines($"/proc/{pid}/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts[1].Split(',').Contains("freezer"))
                return File.ReadAllText($"/sys/fs/cgroup/{parts[1]}{parts[2]}/freezer.state").Trim();
        }
        return CgroupValue(pid, "freezer", "freezer.state", "cgroup.freeze") == "1" ? "FROZEN" : "THAWED";
    }

    private static string PostJson(string path, string body) =>
        $"POST {path} HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: {System.Text.Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
}
