using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

/// <summary>
/// Mount options of config.json mounts: ro binds, rbind with submounts, tmpfs size/mode, tmpcopyup,
/// recursive read-only (rro), propagation options. Host-side submounts are tmpfs mounts inside the test
/// sandbox; they are unmounted before the leak check.
/// </summary>
public sealed class MountOptionTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    /// <summary>Prints "mountpoint mount-options fstype super-options" for every mount under /mnt, sorted.</summary>
    private const string MountProbe =
        "awk '$5 ~ /^\\/mnt\\// {s=0; for (i=7; i<=NF; i++) if ($i==\"-\") {s=i; break}; print \"mnt \" $5, $6, $(s+1), $(s+3)}' /proc/self/mountinfo | sort";

    private readonly List<string> _hostMounts = [];

    /// <summary>Host directory "src" holding file "hostfile" and a tmpfs submount "sub" holding "subfile".</summary>
    private string HostTreeWithSubmount()
    {
        var src = Env.HostDir("src");
        File.WriteAllText(Path.Combine(src, "hostfile"), "host\n");
        var sub = Env.HostDir("src/sub");
        var m = ProcessRunner.Run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", sub]);
        Assert.True(m.Succeeded, $"host tmpfs submount failed:\n{m}");
        _hostMounts.Add(sub);
        File.WriteAllText(Path.Combine(sub, "subfile"), "sub\n");
        return src;
    }

    private void UnmountHostTree()
    {
        foreach (var mp in _hostMounts)
        {
            var r = ProcessRunner.Run("/bin/umount", [mp]);
            Assert.True(r.Succeeded, $"umount {mp} failed:\n{r}");
        }
        _hostMounts.Clear();
    }

    private void FinishAndCheckLeaks()
    {
        UnmountHostTree();
        Env.AssertNoLeaks();
    }

    [Fact]
    public void BindRo_WriteFails()
    {
        var src = Env.HostDir("src");
        File.WriteAllText(Path.Combine(src, "hostfile"), "host\n");
        Bundle.AddMount("/mnt/ro", "bind", src, "bind", "ro");
        Bundle.SetShell("echo read=$(cat /mnt/ro/hostfile); touch /mnt/ro/new 2>&1; echo touch=$?; " + MountProbe);
        var r = RunOk("ro bind mount");
        var kv = KeyValues(r.Stdout);
        Assert.True(kv.GetValueOrDefault("read") == "host", $"bind source not visible:\n{r}");
        Assert.True(kv.GetValueOrDefault("touch") != "0" && r.Stdout.Contains("Read-only file system", StringComparison.Ordinal), $"write to ro bind did not fail with EROFS:\n{r}");
        Assert.False(File.Exists(Path.Combine(src, "new")), "file created through a ro bind mount");
        Assert.True(r.Stdout.Split('\n').Any(l => l.StartsWith("mnt /mnt/ro ro,", StringComparison.Ordinal)), $"/mnt/ro not ro in mountinfo:\n{r}");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void Rbind_SubmountVisible()
    {
        var src = HostTreeWithSubmount();
        Bundle.AddMount("/mnt/r", "bind", src, "rbind", "rw");
        Bundle.AddMount("/mnt/nr", "bind", src, "bind", "rw");
        Bundle.SetShell("echo rsub=$(cat /mnt/r/sub/subfile 2>&1); echo nrsub=$(cat /mnt/nr/sub/subfile 2>&1); touch /mnt/r/sub/new && echo subwrite=ok; " + MountProbe);
        var r = RunOk("rbind");
        var kv = KeyValues(r.Stdout);
        Assert.True(kv.GetValueOrDefault("rsub") == "sub", $"submount not visible through rbind:\n{r}");
        Assert.True(kv.GetValueOrDefault("nrsub") != "sub", $"submount visible through a non-recursive bind:\n{r}");
        Assert.True(kv.GetValueOrDefault("subwrite") == "ok", $"rw rbind submount not writable:\n{r}");
        Assert.True(r.Stdout.Split('\n').Any(l => l.StartsWith("mnt /mnt/r/sub ", StringComparison.Ordinal)), $"no /mnt/r/sub in mountinfo:\n{r}");
        FinishAndCheckLeaks();
    }

    [Fact]
    public void Rro_SubmountReadOnlyToo()
    {
        var src = HostTreeWithSubmount();
        Bundle.AddMount("/mnt/rro", "bind", src, "rbind", "rro");
        Bundle.SetShell("echo sub=$(cat /mnt/rro/sub/subfile); touch /mnt/rro/new 2>/dev/null; echo top=$?; touch /mnt/rro/sub/new 2>/dev/null; echo subtouch=$?; " + MountProbe);
        var r = RunOk("rro bind mount");
        var kv = KeyValues(r.Stdout);
        Assert.True(kv.GetValueOrDefault("sub") == "sub", $"submount not visible:\n{r}");
        Assert.True(kv.GetValueOrDefault("top") is { } t && t != "0", $"top of rro mount writable:\n{r}");
        Assert.True(kv.GetValueOrDefault("subtouch") is { } s && s != "0", $"submount of rro mount writable:\n{r}");
        Assert.False(File.Exists(Path.Combine(src, "sub", "new")), "file created through rro submount");
        FinishAndCheckLeaks();
    }

    [Fact]
    public void Tmpfs_SizeAndMode()
    {
        Bundle.AddMount("/mnt/t", "tmpfs", "tmpfs", "nosuid", "nodev", "size=1m", "mode=700");
        Bundle.SetShell("echo mode=$(stat -c %a /mnt/t); echo size=$(df -k /mnt/t | awk 'NR==2 {print $2}'); " + MountProbe);
        var r = RunOk("tmpfs size/mode");
        var kv = KeyValues(r.Stdout);
        Assert.True(kv.GetValueOrDefault("mode") == "700", $"tmpfs mode:\n{r}");
        Assert.True(kv.GetValueOrDefault("size") == "1024", $"tmpfs size:\n{r}");
        var line = r.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("mnt /mnt/t ", StringComparison.Ordinal));
        Assert.True(line is not null, $"no /mnt/t in mountinfo:\n{r}");
        var f = line!.Split(' ');
        Assert.True(f[2].Split(',').Contains("nosuid") && f[2].Split(',').Contains("nodev"), $"nosuid/nodev missing:\n{r}");
        Assert.True(f[3] == "tmpfs" && f[4].Split(',').Contains("size=1024k") && f[4].Split(',').Contains("mode=700"), $"tmpfs super options:\n{r}");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void Tmpcopyup_CopiesRootfsContent()
    {
        var etc = Path.Combine(Bundle.Rootfs, "etc");
        Directory.CreateDirectory(Path.Combine(etc, "nested"));
        File.WriteAllText(Path.Combine(etc, "nested", "deep"), "deep\n");
        var before = Directory.EnumerateFileSystemEntries(etc, "*", SearchOption.AllDirectories).Order().ToList();
        Bundle.AddMount("/etc", "tmpfs", "tmpfs", "tmpcopyup", "mode=755");
        Bundle.SetShell("echo passwd=$(head -1 /etc/passwd); echo deep=$(cat /etc/nested/deep); touch /etc/new && echo write=ok; echo fstype=$(awk '$5==\"/etc\" {for (i=7; i<=NF; i++) if ($i==\"-\") {print $(i+1); exit}}' /proc/self/mountinfo)");
        var r = RunOk("tmpcopyup");
        var kv = KeyValues(r.Stdout);
        Assert.True(kv.GetValueOrDefault("passwd") == "root:x:0:0:root:/root:/bin/sh", $"/etc/passwd not copied up:\n{r}");
        Assert.True(kv.GetValueOrDefault("deep") == "deep", $"nested file not copied up:\n{r}");
        Assert.True(kv.GetValueOrDefault("write") == "ok", $"copied-up tmpfs not writable:\n{r}");
        Assert.True(kv.GetValueOrDefault("fstype") == "tmpfs", $"/etc is not a tmpfs:\n{r}");
        Assert.Equal(before, Directory.EnumerateFileSystemEntries(etc, "*", SearchOption.AllDirectories).Order().ToList());
        Env.AssertNoLeaks();
    }

    [Theory]
    [InlineData("rprivate")]
    [InlineData("rslave")]
    [InlineData("private")]
    [InlineData("slave")]
    public void BindPropagationOption_Accepted(string propagation)
    {
        var src = HostTreeWithSubmount();
        Bundle.AddMount("/mnt/p", "bind", src, "rbind", propagation);
        Bundle.SetShell("cat /mnt/p/hostfile /mnt/p/sub/subfile; awk '$5==\"/mnt/p\" {print \"opt=\" $7}' /proc/self/mountinfo");
        var r = RunOk($"bind with {propagation}");
        Assert.StartsWith("host\nsub\n", r.Stdout);
        Assert.False(r.Stdout.Contains("opt=shared", StringComparison.Ordinal), $"{propagation} mount is shared:\n{r}");
        FinishAndCheckLeaks();
    }

    /// <summary>Mount flags (field 6), fstype and super options of every /mnt mount equal the reference runtime's.</summary>
    [Fact]
    public void MountInfo_MatchesReference()
    {
        var src = HostTreeWithSubmount();
        Bundle.AddMount("/mnt/ro", "bind", src, "bind", "ro");
        Bundle.AddMount("/mnt/r", "bind", src, "rbind", "rw");
        Bundle.AddMount("/mnt/rro", "bind", src, "rbind", "rro");
        Bundle.AddMount("/mnt/nosuid", "bind", src, "rbind", "nosuid", "nodev", "noexec");
        Bundle.AddMount("/mnt/t", "tmpfs", "tmpfs", "nosuid", "nodev", "size=1m", "mode=700");
        Bundle.AddMount("/mnt/tslave", "tmpfs", "tmpfs", "rslave", "size=64k");
        Bundle.SetShell(MountProbe);
        var (actual, reference) = RunBoth();
        AssertSameOutput(actual, reference);
        FinishAndCheckLeaks();
    }

    /// <summary>
    /// A tmpfs with "ro": runc mounts the superblock rw and makes the mount point read-only (super options "rw",
    /// mount options "ro"). Low-severity runc-compatibility check.
    /// </summary>
    [Fact]
    public void TmpfsRo_MountInfoMatchesReference()
    {
        Bundle.AddMount("/mnt/tro", "tmpfs", "tmpfs", "ro", "noatime", "size=64k");
        Bundle.SetShell("touch /mnt/tro/x 2>/dev/null; echo touch=$?; " + MountProbe);
        var (actual, reference) = RunBoth();
        Assert.True(KeyValues(actual.Stdout).GetValueOrDefault("touch") is { } t && t != "0", $"ro tmpfs writable:\n{actual}");
        AssertSameOutput(actual, reference);
        Env.AssertNoLeaks();
    }

    /// <summary>
    /// A mount destination resolving through a symlink in the rootfs must stay inside the rootfs
    /// (runc: securejoin); otherwise "../../.." links would create/mount host paths.
    /// </summary>
    [Fact]
    public void DestinationThroughEscapingSymlink_StaysInRootfs()
    {
        var name = "carton-it-escape-" + Path.GetFileName(Env.Dir);
        var hostEscape = Path.Combine("/", name);
        Directory.CreateDirectory(Path.Combine(Bundle.Rootfs, "mnt"));
        File.CreateSymbolicLink(Path.Combine(Bundle.Rootfs, "mnt", "esc"), "../../../../../../../../..");
        Bundle.SetRoot("readonly", false);
        Bundle.AddMount($"/mnt/esc/{name}", "tmpfs", "tmpfs", "size=64k");
        Bundle.SetShell($"awk '$5 ~ /{name}/ {{print \"mp=\" $5}}' /proc/self/mountinfo");
        try
        {
            var r = RunContainer(Env.NewId());
            Assert.False(Directory.Exists(hostEscape), $"the runtime created {hostEscape} on the host through a rootfs symlink:\n{r}");
            if (r.Succeeded)
            {
                Assert.True(KeyValues(r.Stdout).GetValueOrDefault("mp") == "/" + name, $"mount did not land at /{name} inside the rootfs:\n{r}");
            }
        }
        finally
        {
            if (Directory.Exists(hostEscape))
            {
                ProcessRunner.Run("/bin/umount", ["-l", hostEscape]);
                Directory.Delete(hostEscape);
            }
        }
        Env.AssertNoLeaks();
    }

    /// <summary>A relative bind-mount source is resolved against the bundle directory (runc behaviour).</summary>
    [Fact]
    public void RelativeBindSource_ResolvedAgainstBundle()
    {
        var src = Path.Combine(Bundle.Dir, "relsrc");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "f"), "relative\n");
        Bundle.AddMount("/mnt/rel", "bind", "relsrc", "rbind", "ro");
        Bundle.SetShell("cat /mnt/rel/f");
        var (actual, reference) = RunBoth();
        AssertSameOutput(actual, reference);
        Assert.Equal("relative\n", actual.Stdout);
        Env.AssertNoLeaks();
    }
}
