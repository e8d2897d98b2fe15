using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Carton.Linux.Seccomp;
using Carton.Oci;
using static Carton.Linux.Tests.Seccomp.SeccompTestProfiles;

namespace Carton.Linux.Tests.Seccomp;

/// <summary>
/// Loads real filters into the kernel. Seccomp filters are per thread (no TSYNC here), so each test loads its filter
/// on a dedicated thread that ends with the test: the filter dies with it and the rest of the test host is untouched.
/// The filters only deny syscalls the runtime does not need (mkdir, getppid, personality, kexec_file_load), so even a
/// thread the runtime might create from the filtered one (inheriting the filter) is unaffected.
/// No root needed: the thread sets no_new_privs first. Skipped where the kernel has no seccomp filter support.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public partial class SeccompFilterRealTests
{
    private const int EPERM = 1, ENOSYS = 38, PR_SET_NO_NEW_PRIVS = 38;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mkdir(string path, uint mode);
    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number);
    private const long SYS_getppid = 110;
    [LibraryImport("libc", SetLastError = true)]
    private static partial int personality(ulong persona);
    [LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, ulong a2, ulong a3, ulong a4, ulong a5);
    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int cmd);

    private static bool KernelSupportsSeccompFilters() =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64 &&
        File.Exists("/proc/self/status") && File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Seccomp:", StringComparison.Ordinal));

    /// <summary>Runs <paramref name="body"/> on a new thread after loading <paramref name="profile"/> there.</summary>
    private static T OnFilteredThread<T>(LinuxSeccomp profile, Func<int, T> body)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var program = SeccompCompiler.Compile(profile);
        var thread = new Thread(() =>
        {
            try
            {
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) throw new InvalidOperationException($"prctl: errno {Marshal.GetLastPInvokeError()}");
                int fd = SeccompFilter.Load(program, profile.Flags ?? [], SeccompCompiler.NeedsNotifyFd(profile));
                result = body(fd);
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        });
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    [Fact]
    public void ErrnoOnMkdirOnlyOnTheFilteredThread()
    {
        if (!KernelSupportsSeccompFilters()) return;
        var root = Path.Combine(Path.GetTempPath(), "carton-seccomp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            var profile = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", ["mkdir", "mkdirat"], 1));
            var (rc, errno, fd) = OnFilteredThread(profile, fd =>
            {
                int r = mkdir(Path.Combine(root, "denied"), 0x1ed);
                return (r, Marshal.GetLastPInvokeError(), fd);
            });
            Assert.Equal(-1, fd);
            Assert.Equal((-1, EPERM), (rc, errno));
            Assert.False(Directory.Exists(Path.Combine(root, "denied")));

            // Another thread (this one) is not filtered.
            Assert.Equal(0, mkdir(Path.Combine(root, "allowed"), 0x1ed));
            Assert.True(Directory.Exists(Path.Combine(root, "allowed")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void ErrnoRetEnosysOnGetppid()
    {
        if (!KernelSupportsSeccompFilters()) return;
        var profile = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", ["getppid"], ENOSYS));
        // syscall(2) rather than glibc's getppid(), which cannot fail and so passes -ENOSYS through without errno.
        var (rc, errno) = OnFilteredThread(profile, _ => (syscall(SYS_getppid), Marshal.GetLastPInvokeError()));
        Assert.Equal((-1L, ENOSYS), (rc, errno));
        Assert.True(syscall(SYS_getppid) > 0);
    }

    [Fact]
    public void MaskedEqArgumentRuleOnPersonality()
    {
        if (!KernelSupportsSeccompFilters()) return;
        // Deny personality(x) when (x & 0xffff0000) == 0xffff0000: that is the 0xffffffff "query" call; other
        // personas pass through. Setting the thread's current persona again changes nothing.
        var profile = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", ["personality"], EPERM, Arg(0, "SCMP_CMP_MASKED_EQ", 0xffff0000, 0xffff0000)));
        int current = personality(0xffffffff);
        Assert.True(current >= 0);
        var (query, queryErrno, set) = OnFilteredThread(profile, _ =>
        {
            int q = personality(0xffffffff);
            int e = Marshal.GetLastPInvokeError();
            return (q, e, personality((ulong)current));
        });
        Assert.Equal((-1, EPERM), (query, queryErrno));
        Assert.Equal(current, set); // personality() returns the previous persona
    }

    [Fact]
    public void NotifyActionReturnsAListenerFd()
    {
        if (!KernelSupportsSeccompFilters()) return;
        var profile = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_NOTIFY", "kexec_file_load"));
        profile.Flags = ["SECCOMP_FILTER_FLAG_LOG"];
        Assert.True(SeccompCompiler.NeedsNotifyFd(profile));
        int fd = OnFilteredThread(profile, fd => fd);
        try
        {
            Assert.True(fd >= 0, $"listener fd {fd}");
            Assert.Equal(1 /* FD_CLOEXEC */, fcntl(fd, 1 /* F_GETFD */) & 1);
            Assert.StartsWith("anon_inode:", new FileInfo($"/proc/self/fd/{fd}").LinkTarget);
        }
        finally
        {
            if (fd >= 0) close(fd);
        }
    }

    [Fact]
    public void KernelAcceptsTheDockerDefaultProfile()
    {
        if (!KernelSupportsSeccompFilters()) return;
        const long SYS_unshare = 272;
        var profile = DockerDefaultProfileTests.Load();
        // unshare(0) is a successful no-op unfiltered; Docker's profile denies unshare with EPERM.
        var (unshare, unshareErrno, ppid) = OnFilteredThread(profile, _ =>
        {
            long u = syscall2(SYS_unshare, 0);
            int e = Marshal.GetLastPInvokeError();
            return (u, e, syscall(SYS_getppid));
        });
        Assert.Equal((-1L, EPERM), (unshare, unshareErrno));
        Assert.True(ppid > 0);
        Assert.Equal(0, syscall2(SYS_unshare, 0));
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall2(long number, long a1);

    [Fact]
    public void LoadRejectsBadInput()
    {
        var ex = Assert.Throws<SeccompException>(() => SeccompFilter.Load([Bpf.Ret(SeccompReturn.Allow)], ["SECCOMP_FILTER_FLAG_NOPE"], false));
        Assert.Equal(["linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_NOPE\""], ex.Errors);
        Assert.Throws<SeccompException>(() => SeccompFilter.Load([], [], false));
        if (!KernelSupportsSeccompFilters()) return;
        // The kernel rejects a program that does not end in a return (EINVAL), reported with the errno.
        var bad = OnFilteredThreadCatching([Bpf.LoadAbsolute(0)]);
        Assert.Equal(22, bad?.Errno);
    }

    private static SeccompException? OnFilteredThreadCatching(SockFilter[] program)
    {
        SeccompException? caught = null;
        var thread = new Thread(() =>
        {
            prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
            try { SeccompFilter.Load(program, [], false); }
            catch (SeccompException e) { caught = e; }
        });
        thread.Start();
        thread.Join();
        return caught;
    }
}
