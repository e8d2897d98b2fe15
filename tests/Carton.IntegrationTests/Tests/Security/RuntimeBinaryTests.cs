using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Security;

/// <summary>
/// CVE-2019-5736 (design.md §3.1): the runtime binary must be sealed/read-only before anything runs in the
/// container, so a container (here: the test, playing the attacker with host-side access to /proc/&lt;init&gt;/exe)
/// cannot overwrite it. The attack runs against a private copy of the runtime binary so a vulnerable runtime
/// only destroys the copy.
/// </summary>
public sealed class RuntimeBinaryTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    [Fact]
    public void InitExeIsSealedMemfd_AndCannotBeWritten()
    {
        var copyDir = Env.HostDir("runtime-copy");
        var sourceDir = Path.GetDirectoryName(Rt.Binary)!;
        // carton-dmz (the init that runs the setup plan) is found beside carton: copied with it, attacked with it.
        foreach (var f in Directory.EnumerateFiles(sourceDir).Where(f => f == Rt.Binary || f.EndsWith(".so", StringComparison.Ordinal) || Path.GetFileName(f) == "carton-dmz"))
        {
            File.Copy(f, Path.Combine(copyDir, Path.GetFileName(f)));
        }
        var binary = Path.Combine(copyDir, Path.GetFileName(Rt.Binary));
        var hashBefore = Sha256(binary);
        var realHashBefore = Sha256(Rt.Binary);
        var dmz = Path.Combine(copyDir, "carton-dmz");
        var dmzHashBefore = File.Exists(dmz) ? Sha256(dmz) : "";
        var rt = Env.AddRuntime(binary, "copy-root");

        Bundle.SetArgs("sleep", "1000");
        var id = Env.NewId();
        var create = rt.Exec(["create", "--bundle", Bundle.Dir, id]);
        Assert.True(create.Succeeded, $"create failed:\n{create}");
        var pid = JsonNode.Parse(rt.MustRun("state", id).Stdout)!["pid"]!.GetValue<int>();

        var exe = new FileInfo($"/proc/{pid}/exe").LinkTarget ?? "";
        if (!Fixture.RuntimeIsRunc)
        {
            // runc 1.1.5 protects itself differently (re-exec from a cloned binary); the memfd name is carton's.
            Assert.True(exe.StartsWith("/memfd:", StringComparison.Ordinal) && exe.EndsWith("(deleted)", StringComparison.Ordinal),
                $"/proc/{pid}/exe of the waiting init is '{exe}', expected a sealed memfd such as '/memfd:carton (deleted)'");
        }
        Assert.False(exe.StartsWith(copyDir, StringComparison.Ordinal), $"init runs the on-disk runtime binary '{exe}' directly");

        // Direct write while the init still executes it.
        AssertNotWritable($"/proc/{pid}/exe", "while the init waits in `created`");

        // The real attack: keep a read-only handle on the exe, let the init exec the user's process (so the
        // binary is no longer busy), then reopen the handle for writing through /proc/self/fd.
        using (var handle = File.OpenHandle($"/proc/{pid}/exe", FileMode.Open, FileAccess.Read))
        {
            rt.MustRun("start", id);
            Assert.True(Poll.Until(() => new FileInfo($"/proc/{pid}/exe").LinkTarget != exe, TimeSpan.FromSeconds(10)), "init never exec'd the user process");
            AssertNotWritable($"/proc/self/fd/{handle.DangerousGetHandle()}", "after the init exec'd the user process (reopened fd)");
        }

        Assert.Equal(hashBefore, Sha256(binary));
        Assert.Equal(realHashBefore, Sha256(Rt.Binary));
        if (File.Exists(dmz)) Assert.Equal(dmzHashBefore, Sha256(dmz));
        rt.MustRun("delete", "--force", id);
        Env.AssertNoLeaks();
    }

    private static void AssertNotWritable(string path, string when)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            fs.Seek(0, SeekOrigin.End);
            fs.Write("CVE-2019-5736"u8);
            fs.Flush();
            Assert.Fail($"{when}: opening {path} (-> '{new FileInfo(path).LinkTarget}') for writing and writing to it succeeded");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // expected: ETXTBSY / EPERM (F_SEAL_WRITE) / EACCES
        }
    }

    private static string Sha256(string path)
    {
        using var fs = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(fs));
    }
}
