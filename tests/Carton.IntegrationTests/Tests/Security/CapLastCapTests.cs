using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;
using Carton.IntegrationTests.Tests.Exec;

namespace Carton.IntegrationTests.Tests.Security;

/// <summary>
/// The last capability number must come from the kernel, not from the container's /proc (issue 9 §3 item 1).
/// OCI does not require a proc mount at /proc, so an image can ship /proc/sys/kernel/cap_last_cap itself: holding
/// "-1" it made carton drop nothing from the bounding set (CapBnd 0x1fffeffffff for a config granting three
/// capabilities). Here proc is mounted at /p instead, where the probe reads its own status; the bounding set must be
/// exactly the configured one, for the init's process and for `exec`.
/// </summary>
public sealed class CapLastCapTests(RuntimeFixture fixture) : ExecTestBase(fixture)
{
    private static readonly string[] Granted = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];

    // CAP_KILL 5, CAP_NET_BIND_SERVICE 10, CAP_AUDIT_WRITE 29.
    private const string Expected = "0000000020000420";

    private const string NoProcReason = "Debian's runc 1.1.5 needs a procfs at /proc (it closes fds through /proc/self/fd) and fails without one";

    private void PlantFakeCapLastCap(string content)
    {
        Bundle.Mutate(c =>
        {
            foreach (var m in (JsonArray)c["mounts"]!)
            {
                if (m!["destination"]!.GetValue<string>() == "/proc")
                {
                    m["destination"] = "/p";
                }
            }
            var caps = new JsonObject();
            foreach (var set in new[] { "bounding", "effective", "permitted" })
            {
                caps[set] = Bundle.ToArray(Granted);
            }
            Bundle.Process["capabilities"] = caps;
            // Not what this test is about (and, by path through /proc/self/fd, they once needed a proc at /proc).
            c["linux"]!["maskedPaths"] = new JsonArray();
            c["linux"]!["readonlyPaths"] = new JsonArray();
        });
        Directory.CreateDirectory(Path.Combine(Bundle.Rootfs, "p"));
        var kernel = Path.Combine(Bundle.Rootfs, "proc/sys/kernel");
        Directory.CreateDirectory(kernel);
        File.WriteAllText(Path.Combine(kernel, "cap_last_cap"), content + "\n");
    }

    private static string CapBnd(ProcessResult r, string what)
    {
        Assert.True(r.Succeeded, $"{what} failed:\n{r}");
        var line = r.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("CapBnd:", StringComparison.Ordinal));
        Assert.True(line is not null, $"{what}: no CapBnd line:\n{r}");
        return line["CapBnd:".Length..].Trim();
    }

    [SkipOnRuncTheory(NoProcReason)]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("63")]
    public void FakeCapLastCapInRootfs_BoundingSetIsExactlyTheConfiguredOne(string fake)
    {
        PlantFakeCapLastCap(fake);
        Bundle.SetShell("grep CapBnd /p/self/status");
        var bnd = CapBnd(RunContainer(Env.NewId()), $"run with rootfs /proc/sys/kernel/cap_last_cap = {fake}");
        Assert.True(bnd == Expected, $"cap_last_cap = {fake} in the image: CapBnd is {bnd}, expected {Expected} (only {string.Join(", ", Granted)})");
        Env.AssertNoLeaks();
    }

    [SkipOnRuncTheory(NoProcReason)]
    [InlineData("-1")]
    [InlineData("0")]
    public void FakeCapLastCapInRootfs_ExecBoundingSetIsExactlyTheConfiguredOne(string fake)
    {
        PlantFakeCapLastCap(fake);
        var id = Env.NewId();
        StartSleeper(Rt, id);
        var bnd = CapBnd(ExecIn(Rt, id, [], "grep", "CapBnd", "/p/self/status"), $"exec with rootfs /proc/sys/kernel/cap_last_cap = {fake}");
        Assert.True(bnd == Expected, $"exec, cap_last_cap = {fake} in the image: CapBnd is {bnd}, expected {Expected}");
        DeleteAndCheckLeaks((Rt, id));
    }
}
