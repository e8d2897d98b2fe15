using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Security;

/// <summary>
/// tmpcopyup copies the image's directory into the new tmpfs as host root, before pivot_root: it must walk by fd
/// with O_NOFOLLOW and copy only directories, regular files and symlinks (design.md §3.3). A FIFO in the image must
/// not be opened (create would hang), a device node must not be read (a /dev/zero node fills the tmpfs; a disk's node
/// would copy the host's disk), and a symlink to a host file must stay a symlink, never its target's contents.
/// </summary>
public sealed class TmpCopyUpTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    private string Data => Path.Combine(Bundle.Rootfs, "data");

    private void MountTmpfsWithCopyUp()
    {
        Directory.CreateDirectory(Data);
        File.WriteAllText(Path.Combine(Data, "a"), "image-file\n");
        Bundle.AddMount("/data", "tmpfs", "tmpfs", "nosuid", "nodev", "mode=755", "size=1m", "tmpcopyup");
    }

    private ProcessResult Run(string script)
    {
        Bundle.SetShell(script);
        return Rt.Exec(["run", "--bundle", Bundle.Dir, Env.NewId()], timeout: TimeSpan.FromSeconds(20));
    }

    [SkipOnRuncFact("Debian's runc 1.1.5 skips the FIFO, then fails create on lchown of the copy it did not make (ENOENT)")]
    public void FifoInImage_CreateDoesNotHang()
    {
        MountTmpfsWithCopyUp();
        var mk = ProcessRunner.Run("/usr/bin/mkfifo", [Path.Combine(Data, "fifo")]);
        Assert.True(mk.Succeeded, mk.ToString());
        var r = Run("cat /data/a; ls /data | tr '\\n' ' '");
        Assert.False(r.TimedOut, $"run hung: tmpcopyup opened the image's FIFO:\n{r}");
        Assert.True(r.Succeeded, $"run failed:\n{r}");
        Assert.StartsWith("image-file\n", r.Stdout);
        Env.AssertNoLeaks();
    }

    [SkipOnRuncFact("Debian's runc 1.1.5 fails create on lchown of the device node it did not copy (ENOENT)")]
    public void DeviceNodeInImage_IsNotRead()
    {
        MountTmpfsWithCopyUp();
        var mk = ProcessRunner.Run("/usr/bin/mknod", [Path.Combine(Data, "zero"), "c", "1", "5"]);
        Assert.True(mk.Succeeded, mk.ToString());
        var r = Run("cat /data/a; if [ -f /data/zero ]; then echo copied-as-file; fi");
        Assert.False(r.TimedOut, $"run hung reading the image's device node:\n{r}");
        Assert.True(r.Succeeded, $"run failed (tmpcopyup read the image's /dev/zero node into the 1m tmpfs?):\n{r}");
        Assert.StartsWith("image-file\n", r.Stdout);
        Assert.DoesNotContain("copied-as-file", r.Stdout);
        Env.AssertNoLeaks();
    }

    [Fact]
    public void SymlinkToHostFile_ContentsDoNotReachTheContainer()
    {
        var secret = Path.Combine(Env.HostDir("host-etc"), "shadow");
        var content = "HOST-SECRET-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(secret, content + "\n");
        MountTmpfsWithCopyUp();
        File.CreateSymbolicLink(Path.Combine(Data, "shadow"), secret);
        Directory.CreateDirectory(Path.Combine(Data, "sub"));
        File.CreateSymbolicLink(Path.Combine(Data, "sub", "shadow"), "../../../../../../../.." + secret);
        var r = Run("cat /data/a; cat /data/shadow /data/sub/shadow 2>&1; grep -r HOST-SECRET /data 2>&1; readlink /data/shadow");
        Assert.False(r.TimedOut, r.ToString());
        Assert.True(r.Succeeded, $"run failed:\n{r}");
        Assert.False(r.Stdout.Contains(content, StringComparison.Ordinal), $"the host file's contents reached the container through tmpcopyup:\n{r}");
        Assert.Contains(secret, r.Stdout); // the symlink itself was copied, as a symlink
        Env.AssertNoLeaks();
    }
}
