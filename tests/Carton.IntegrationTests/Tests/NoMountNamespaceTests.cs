using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

/// <summary>
/// A config without a mount namespace: the container shares the caller's mount table. It runs (chrooted into
/// root.path, as under runc and crun), and its setup leaves the host's mount table exactly as it was. What would
/// need a mount is refused at create, naming the field, and leaves nothing behind.
/// </summary>
public sealed class NoMountNamespaceTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    /// <summary>The default bundle without its mount namespace and without everything that would need a mount.</summary>
    private void WithoutMountNamespace()
    {
        Bundle.RemoveNamespace("mount");
        Bundle.Mutate(c => c["mounts"] = new JsonArray());
        Bundle.SetLinux("maskedPaths", null);
        Bundle.SetLinux("readonlyPaths", null);
        Bundle.SetRoot("readonly", false);
    }

    private static string HostMountinfo() => File.ReadAllText("/proc/self/mountinfo");

    [SkipOnRuncFact("runc 1.1.x bind-mounts the rootfs onto itself in the host's mount table (and never unmounts it)")]
    public void NoMountNamespace_RunsChrooted_HostMountsUnchanged()
    {
        WithoutMountNamespace();
        var ran = Path.Combine(Bundle.Rootfs, "ran");
        Bundle.SetShell($"[ -e /{Env.RootfsMarker} ] && echo marker=yes > /ran; [ -e {Env.Dir} ] || echo hostdir=invisible >> /ran");
        var before = HostMountinfo();
        var id = Env.NewId();

        var create = CreateContainer(id);
        Assert.True(create.Succeeded, $"create without a mount namespace failed:\n{create}");
        var pid = StateJson(id)["pid"]!.GetValue<int>();
        Assert.True(ReadLink("/proc/self/ns/mnt") == ReadLink($"/proc/{pid}/ns/mnt"), "the init is not in the caller's mount namespace");
        Assert.Equal(Bundle.Rootfs, ReadLink($"/proc/{pid}/root"));
        var created = HostMountinfo();
        Assert.True(before == created, $"create changed the host's mounts:\n{LineDiff.Diff("before", before, "after create", created)}");

        Rt.MustRun("start", id);
        Assert.True(Rt.WaitForStatus(id, "stopped"), $"status: {Rt.Status(id)}");
        Assert.True(File.Exists(ran), "the container's process did not run (or did not run chrooted into root.path)");
        var lines = File.ReadAllLines(ran);
        Assert.Equal(["marker=yes", "hostdir=invisible"], lines);
        Rt.MustRun("delete", id);
        var after = HostMountinfo();
        Assert.True(before == after, $"the container changed the host's mounts:\n{LineDiff.Diff("before", before, "after delete", after)}");
        Env.AssertNoLeaks();
    }

    /// <summary>exec in such a container runs in the container's root (chrooted like its init), not the host's "/".</summary>
    [SkipOnRuncFact("runc 1.1.x bind-mounts the rootfs onto itself in the host's mount table (and never unmounts it)")]
    public void NoMountNamespace_ExecRunsInTheContainerRoot()
    {
        WithoutMountNamespace();
        Bundle.SetArgs("sleep", "30");
        var before = HostMountinfo();
        var id = Env.NewId();
        var create = CreateContainer(id);
        Assert.True(create.Succeeded, $"create without a mount namespace failed:\n{create}");
        Rt.MustRun("start", id);
        var exec = Rt.Exec(["exec", id, "sh", "-c", $"[ -e /{Env.RootfsMarker} ] && echo marker=yes; [ -e {Env.Dir} ] || echo hostdir=invisible"]);
        Assert.True(exec.Succeeded, $"exec failed:\n{exec}");
        Assert.Equal("marker=yes\nhostdir=invisible\n", exec.Stdout);
        Rt.MustRun("delete", "--force", id);
        Assert.Equal(before, HostMountinfo());
        Env.AssertNoLeaks();
    }

    /// <summary>runc: "unable to restrict sys entries without a private MNT namespace".</summary>
    [Fact]
    public void NoMountNamespace_MaskedPaths_Refused()
    {
        WithoutMountNamespace();
        Bundle.SetArgs("true");
        Bundle.SetLinux("maskedPaths", Bundle.ToArray(["/proc/kcore"]));
        var r = CreateContainer(Env.NewId());
        AssertFailed(r, "create with maskedPaths and no mount namespace");
        if (!Fixture.RuntimeIsRunc)
            Assert.True(r.Stderr.Contains("linux.maskedPaths", StringComparison.Ordinal) && r.Stderr.Contains("mount namespace", StringComparison.Ordinal),
                $"error does not name linux.maskedPaths and the mount namespace:\n{r}");
        Env.AssertNoLeaks();
    }

    /// <summary>Everything else that needs a mount is refused up front too (runc would mount on the host's table).</summary>
    [SkipOnRuncFact("runc 1.1.x performs these mounts in the host's mount namespace")]
    public void NoMountNamespace_WhatNeedsAMount_Refused()
    {
        var cases = new (string Field, Action<Bundle> Set)[]
        {
            ("linux.readonlyPaths", b => b.SetLinux("readonlyPaths", Bundle.ToArray(["/proc/sys"]))),
            ("mounts", b => b.AddMount("/tmp", "tmpfs", "tmpfs", "mode=1777")),
            ("root.readonly", b => b.SetRoot("readonly", true)),
            ("linux.rootfsPropagation", b => b.SetLinux("rootfsPropagation", "private")),
            ("process.terminal", b => b.SetTerminal(true)),
        };
        foreach (var (field, set) in cases)
        {
            WithoutMountNamespace();
            Bundle.SetArgs("true");
            Bundle.SetTerminal(false);
            set(Bundle);
            var before = HostMountinfo();
            var r = CreateContainer(Env.NewId());
            AssertFailed(r, $"create with {field} and no mount namespace");
            Assert.True(r.Stderr.Contains(field, StringComparison.Ordinal) && r.Stderr.Contains("mount namespace", StringComparison.Ordinal),
                $"error does not name {field} and the mount namespace:\n{r}");
            Assert.Equal(before, HostMountinfo());
            Env.AssertNoLeaks();
        }
    }

    private static string ReadLink(string path) =>
        new FileInfo(path).LinkTarget ?? throw new InvalidOperationException($"{path} is not a link");
}
