using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

/// <summary>--no-pivot, root.readonly and linux.rootfsPropagation.</summary>
public sealed class RootfsTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    private string RootProbe() =>
        $"[ -e /{Env.RootfsMarker} ] && echo marker=yes; [ -x /bin/busybox ] && echo busybox=yes; [ -e {Env.Dir} ] && echo hostdir=visible; " +
        "echo ids=$(ls -di / | cut -d' ' -f1)/$(ls -di /.. | cut -d' ' -f1); awk '$5==\"/\" {print \"rootmount=\" $0}' /proc/self/mountinfo";

    [Fact]
    public void NoPivot_RootIsRootfs()
    {
        Bundle.SetShell(RootProbe());
        var r = RunOk("run --no-pivot", "--no-pivot");
        var kv = KeyValues(r.Stdout);
        Assert.True(kv.GetValueOrDefault("marker") == "yes", $"/ is not the rootfs (marker missing):\n{r}");
        Assert.True(kv.GetValueOrDefault("busybox") == "yes", $"/bin/busybox missing:\n{r}");
        Assert.False(kv.ContainsKey("hostdir"), $"the host sandbox directory is visible inside:\n{r}");
        var ids = kv.GetValueOrDefault("ids")?.Split('/');
        Assert.True(ids is { Length: 2 } && ids[0] == ids[1], $"/.. is not / (chroot escape possible?):\n{r}");
        var rootMounts = r.Stdout.Split('\n').Count(l => l.StartsWith("rootmount=", StringComparison.Ordinal));
        Assert.True(rootMounts >= 1, $"no mount at / in mountinfo:\n{r}");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void ReadonlyRoot_WriteFails_TmpfsWritable()
    {
        Bundle.SetRoot("readonly", true);
        Bundle.AddMount("/tmp", "tmpfs", "tmpfs", "nosuid", "nodev", "mode=1777");
        Bundle.SetShell("touch /x 2>&1; echo touch=$?; touch /tmp/y && echo tmp=ok; awk '$5==\"/\" {print \"rootopts=\" $6}' /proc/self/mountinfo");
        var r = RunOk("root.readonly");
        var kv = KeyValues(r.Stdout);
        Assert.True(kv.GetValueOrDefault("touch") is { } rc && rc != "0", $"touch /x succeeded on a read-only root:\n{r}");
        Assert.True(r.Stdout.Contains("Read-only file system", StringComparison.Ordinal), $"touch /x did not fail with EROFS:\n{r}");
        Assert.True(kv.GetValueOrDefault("tmp") == "ok", $"/tmp tmpfs not writable:\n{r}");
        Assert.True(kv.GetValueOrDefault("rootopts")?.Split(',').Contains("ro") == true, $"/ not mounted ro in mountinfo:\n{r}");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void WritableRoot_WriteSucceeds()
    {
        Bundle.SetRoot("readonly", false);
        Bundle.SetShell("touch /x && echo touch=ok");
        var r = RunOk("root.readonly=false");
        Assert.Equal("touch=ok\n", r.Stdout);
        Env.AssertNoLeaks();
    }

    [Theory]
    [InlineData("private")]
    [InlineData("rprivate")]
    [InlineData("slave")]
    [InlineData("rslave")]
    [InlineData("shared")]
    [InlineData("rshared")]
    public void RootfsPropagation_Runs(string propagation)
    {
        Bundle.SetLinux("rootfsPropagation", propagation);
        Bundle.SetShell("echo ok; awk '$5==\"/\"' /proc/self/mountinfo");
        var r = RunOk($"rootfsPropagation {propagation}");
        Assert.StartsWith("ok\n", r.Stdout);
        Env.AssertNoLeaks();
    }

    /// <summary>The propagation flags of the container's / (optional fields of mountinfo) match the reference runtime's.</summary>
    [Theory]
    [InlineData("private")]
    [InlineData("rslave")]
    public void RootfsPropagation_MatchesReference(string propagation)
    {
        Bundle.SetLinux("rootfsPropagation", propagation);
        // Fields 7.. up to "-" are the optional fields; print their kinds only (peer group ids differ).
        Bundle.SetShell("awk '$5==\"/\" {s=\"\"; for (i=7; $i!=\"-\"; i++) { split($i, a, \":\"); s=s a[1] \" \" }; print \"root-propagation=\" s}' /proc/self/mountinfo");
        var (actual, reference) = RunBoth();
        AssertSameOutput(actual, reference);
        Env.AssertNoLeaks();
    }

    /// <summary>OCI: rootfsPropagation "sets the rootfs's mount propagation"; with "shared" the container's / is in a peer group.</summary>
    [SkipOnRuncFact("runc 1.1.x leaves the pivoted / without a shared peer group even with rootfsPropagation=shared")]
    public void RootfsPropagationShared_RootIsShared()
    {
        Bundle.SetLinux("rootfsPropagation", "shared");
        Bundle.SetShell("awk '$5==\"/\" {s=\"\"; for (i=7; $i!=\"-\"; i++) { split($i, a, \":\"); s=s a[1] \" \" }; print \"root-propagation=\" s}' /proc/self/mountinfo");
        var r = RunOk("rootfsPropagation shared");
        Assert.True(r.Stdout.Contains("shared", StringComparison.Ordinal), $"/ is not shared:\n{r}");
        Env.AssertNoLeaks();
    }

    /// <summary>
    /// Every rootfsPropagation value (config-linux.md "Rootfs Mount Propagation", and runc's r-prefixed forms) gives
    /// the container's "/" that propagation, read from the optional fields of its mountinfo line. "unbindable" used
    /// to fail with EINVAL at the rootfs bind (its source mount had just been made unbindable).
    /// </summary>
    [SkipOnRuncTheory("runc 1.1.x fails the rootfs bind with EINVAL for (r)unbindable and leaves / unshared for (r)shared")]
    [InlineData("shared", "shared")]
    [InlineData("rshared", "shared")]
    [InlineData("slave", "")]
    [InlineData("rslave", "")]
    [InlineData("private", "")]
    [InlineData("rprivate", "")]
    [InlineData("unbindable", "unbindable")]
    [InlineData("runbindable", "unbindable")]
    public void RootfsPropagation_EachValue_SetOnRoot(string propagation, string expected)
    {
        Bundle.SetLinux("rootfsPropagation", propagation);
        Bundle.SetShell("awk '$5==\"/\" {s=\"\"; for (i=7; $i!=\"-\"; i++) { split($i, a, \":\"); s=s a[1] \" \" }; print \"root-propagation=\" s}' /proc/self/mountinfo");
        var r = RunOk($"rootfsPropagation {propagation}");
        var kinds = KeyValues(r.Stdout).GetValueOrDefault("root-propagation")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (expected.Length > 0)
            Assert.True(kinds.Contains(expected), $"/ is not {expected} with rootfsPropagation {propagation}:\n{r}");
        else
            Assert.True(!kinds.Contains("shared") && !kinds.Contains("unbindable"), $"/ is shared or unbindable with rootfsPropagation {propagation}:\n{r}");
        // A slave can only have a master when the host's mount was shared; this host's "/" decides, so only the
        // absence of a master is checked for private.
        if (propagation.EndsWith("private", StringComparison.Ordinal))
            Assert.True(kinds.Length == 0, $"/ is not private with rootfsPropagation {propagation}:\n{r}");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void NoPivot_ReadonlyRoot()
    {
        Bundle.SetRoot("readonly", true);
        Bundle.SetShell($"[ -e /{Env.RootfsMarker} ] && echo marker=yes; touch /x 2>/dev/null; echo touch=$?");
        var r = RunOk("run --no-pivot with root.readonly", "--no-pivot");
        var kv = KeyValues(r.Stdout);
        Assert.True(kv.GetValueOrDefault("marker") == "yes", $"/ is not the rootfs:\n{r}");
        Assert.True(kv.GetValueOrDefault("touch") is { } t && t != "0", $"read-only root writable under --no-pivot:\n{r}");
        Env.AssertNoLeaks();
    }
}
