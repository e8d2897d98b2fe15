using Carton.Linux.Interop;
using Carton.Linux.IO;

namespace Carton.Linux.Tests.IO;

/// <summary>
/// The verified procfs handle every procfs write of the init goes through (design.md §3 item 5). These cover the
/// handle's own path rules; the attack tests (a mount over a /proc file redirecting a write) are black-box, in
/// Carton.IntegrationTests (Security/ProcWriteTests).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ProcFsTests
{
    [Fact]
    public void ThreadSelfPathsReachTheCallingThreadsFiles()
    {
        // comm is per thread: the write must land on this thread's, which is what /proc/thread-self/attr/* (the
        // AppArmor and SELinux exec attrs) rely on.
        using var proc = ProcFs.Open("/proc");
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                proc.Write("/proc/thread-self/comm", "cartonthr");
                Assert.Equal("cartonthr", File.ReadAllText("/proc/thread-self/comm").TrimEnd('\n'));
            }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        Assert.Null(failure);
        // The main test thread's comm is untouched: the write went to the other thread's file, not the process's.
        Assert.NotEqual("cartonthr", File.ReadAllText("/proc/thread-self/comm").TrimEnd('\n'));
    }

    [Fact]
    public void SelfPathsResolveToThisProcess()
    {
        using var proc = ProcFs.Open("/proc");
        int fd = proc.TryOpen("/proc/self/status", Libc.O_RDONLY);
        Assert.True(fd >= 0, $"open self/status: errno {-fd}");
        Libc.close(fd);
        Assert.True(proc.OpenFds().Count > 0);
    }

    [Fact]
    public void AnythingButAProcfsRootIsRefused()
    {
        var e = Assert.Throws<SyscallException>(() => ProcFs.Open("/tmp"));
        Assert.Equal(Errno.EXDEV, e.Errno);
        e = Assert.Throws<SyscallException>(() => ProcFs.Open("/proc/self"));
        Assert.Equal(Errno.EXDEV, e.Errno);
    }

    [Fact]
    public void ALinkInsideProcfsIsNotFollowed()
    {
        // /proc/self/cwd is a magic link: RESOLVE_NO_MAGICLINKS refuses it, so no write can be sent through it.
        using var proc = ProcFs.Open("/proc");
        int fd = proc.TryOpen("/proc/self/cwd", Libc.O_RDONLY);
        if (fd >= 0) Libc.close(fd);
        Assert.True(fd < 0);
        Assert.Contains(-fd, new[] { Errno.ELOOP, Errno.EXDEV });
    }
}
