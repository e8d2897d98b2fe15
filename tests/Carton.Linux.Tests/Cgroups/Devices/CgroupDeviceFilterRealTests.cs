using System.Diagnostics;
using Carton.Linux.Cgroups;
using Carton.Linux.Cgroups.Devices;
using Carton.Oci;
using Process = System.Diagnostics.Process;

namespace Carton.Linux.Tests.Cgroups.Devices;

/// <summary>
/// Attaches real device filters to a fresh directory of the host's cgroup2 mount and checks that the kernel enforces
/// them on a shell moved into it. Needs root and a cgroup2 mount (the unified mount of a hybrid host, or the root of a
/// pure v2 host); without those the tests return early. Once those exist, any refusal by the kernel fails the test.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class CgroupDeviceFilterRealTests
{
    private const string Script =
        "read x; " +
        "cat /dev/null && echo null-ok; " +
        "head -c1 /dev/zero >/dev/null 2>&1 && echo zero-ok || echo zero-denied; " +
        "head -c1 /dev/urandom > /dev/null && echo urandom-read-ok; " +
        "echo > /dev/urandom 2>/dev/null && echo urandom-write-ok || echo urandom-write-denied";

    private static string? FindCgroup2Mount()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/proc/self/mounts")) return null;
        foreach (var line in File.ReadAllLines("/proc/self/mounts"))
        {
            var f = line.Split(' ');
            if (f.Length > 2 && f[2] == "cgroup2" && Directory.Exists(f[1])) return f[1];
        }
        return null;
    }

    private static LinuxDeviceCgroup Rule(bool allow, string? type, long? major, long? minor, string access) =>
        new() { Allow = allow, Type = type, Major = major, Minor = minor, Access = access };

    /// <summary>Starts sh blocked on "read", moves it into <paramref name="cgroup"/>, lets it go and returns its output lines.</summary>
    private static string[] RunInCgroup(string cgroup, List<Process> started)
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Script);
        var p = Process.Start(psi)!;
        started.Add(p);
        File.WriteAllText(Path.Combine(cgroup, "cgroup.procs"), p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllLines(Path.Combine(cgroup, "cgroup.procs")));
        p.StandardInput.WriteLine("go");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(20_000), "shell did not finish");
        var lines = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length > 0, "no output; stderr: " + stderr.Result);
        return lines;
    }

    private static void Cleanup(string cgroup, List<Process> started)
    {
        foreach (var p in started)
        {
            try
            {
                if (!p.HasExited) p.Kill();
                p.WaitForExit(5000);
            }
            catch (InvalidOperationException) { }
        }
        for (var i = 0; i < 50 && Directory.Exists(cgroup); i++)
        {
            try
            {
                Directory.Delete(cgroup);
            }
            catch (IOException)
            {
                Thread.Sleep(100);
            }
        }
    }

    [Fact]
    public void FilterIsEnforcedAndUpdateReplacesIt()
    {
        var mount = FindCgroup2Mount();
        if (mount is null) return;
        var cgroup = Path.Combine(mount, "carton-devtest-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(cgroup);
        var started = new List<Process>();
        try
        {
            CgroupDeviceFilter.Attach(cgroup,
            [
                Rule(false, "a", null, null, "rwm"),
                Rule(true, "c", 1, 3, "rwm"),   // /dev/null
                Rule(true, "c", 1, 9, "r"),     // /dev/urandom, read only
            ]);
            Assert.Single(CgroupDeviceFilter.GetAttachedProgramIds(cgroup));

            var lines = RunInCgroup(cgroup, started);
            Assert.Equal(["null-ok", "zero-denied", "urandom-read-ok", "urandom-write-denied"], lines);

            // Update: the new program goes in next to the old one, then the old one is detached.
            var before = CgroupDeviceFilter.GetAttachedProgramIds(cgroup);
            CgroupDeviceFilter.Attach(cgroup, [Rule(true, "a", null, null, "rwm")]);
            var after = CgroupDeviceFilter.GetAttachedProgramIds(cgroup);
            Assert.Single(after);
            Assert.NotEqual(before[0], after[0]);

            lines = RunInCgroup(cgroup, started);
            Assert.Equal(["null-ok", "zero-ok", "urandom-read-ok", "urandom-write-ok"], lines);

            // And the usual container list: spec deny-all plus runc's defaults.
            CgroupDeviceFilter.Attach(cgroup, DefaultDeviceRules.AppendTo([Rule(false, "a", null, null, "rwm")]));
            Assert.Single(CgroupDeviceFilter.GetAttachedProgramIds(cgroup));
            lines = RunInCgroup(cgroup, started);
            Assert.Equal(["null-ok", "zero-ok", "urandom-read-ok", "urandom-write-ok"], lines);
        }
        finally
        {
            Cleanup(cgroup, started);
        }
        Assert.False(Directory.Exists(cgroup));
    }

    [Fact]
    public void VerifierRejectionIncludesTheLog()
    {
        var mount = FindCgroup2Mount();
        if (mount is null) return;
        var cgroup = Path.Combine(mount, "carton-devtest-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(cgroup);
        try
        {
            // "exit" with r0 never written: the verifier refuses with "R0 !read_ok".
            var bad = new BpfAssembler().Exit().Build();
            var e = Assert.Throws<CgroupException>(() => CgroupDeviceFilter.Attach(cgroup, bad));
            Assert.Contains(cgroup, e.Message);
            Assert.Contains("verifier log", e.Message);
            Assert.Contains("R0 !read_ok", e.Message);
            Assert.Equal(Carton.Linux.Interop.Errno.EACCES, e.Errno);
            Assert.Empty(CgroupDeviceFilter.GetAttachedProgramIds(cgroup));
        }
        finally
        {
            Directory.Delete(cgroup);
        }
    }

    [Fact]
    public void MissingCgroupNamesDirectoryAndErrno()
    {
        if (FindCgroup2Mount() is not { } mount) return;
        var missing = Path.Combine(mount, "carton-devtest-missing-" + Guid.NewGuid().ToString("N")[..8]);
        var e = Assert.Throws<CgroupException>(() => CgroupDeviceFilter.Attach(missing, [Rule(true, "a", null, null, "rwm")]));
        Assert.Contains(missing, e.Message);
        Assert.EndsWith("(ENOENT)", e.Message);
    }
}
