using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Seccomp;

/// <summary>
/// linux.seccomp for real: a profile that denies mkdir makes mkdir fail with EPERM inside the container while
/// everything else works, and Docker's default profile (tests/Carton.Linux.Tests/Seccomp/docker-default.json)
/// behaves as under the reference runtime.
/// </summary>
[Collection(ContainerCollection.Name)]
public sealed class SeccompTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    private const string Probe =
        "mkdir /tmp/d 2>&1; echo mkdir=$?; " +
        "touch /tmp/f && echo touch=0; " +
        "ls /tmp | tr '\\n' ' '; echo; " +
        "unshare -U true 2>&1; echo unshare=$?; " +
        "cat /proc/self/status | grep -E '^Seccomp:'; " +
        "echo done";

    private void UseProfile(JsonNode profile, bool noNewPrivileges) => Bundle.Mutate(c =>
    {
        c["linux"]!["seccomp"] = profile;
        c["process"]!["noNewPrivileges"] = noNewPrivileges;
        c["root"]!["readonly"] = false;
        var mounts = (JsonArray)c["mounts"]!;
        mounts.Add(new JsonObject { ["destination"] = "/tmp", ["type"] = "tmpfs", ["source"] = "tmpfs", ["options"] = new JsonArray("nosuid", "nodev") });
    });

    private static JsonNode DenyMkdir() => new JsonObject
    {
        ["defaultAction"] = "SCMP_ACT_ALLOW",
        ["architectures"] = new JsonArray("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
        ["syscalls"] = new JsonArray(new JsonObject
        {
            ["names"] = new JsonArray("mkdir", "mkdirat"), ["action"] = "SCMP_ACT_ERRNO", ["errnoRet"] = 1,
        }),
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AProfileDenyingMkdirMakesItFailWithEpermAndNothingElse(bool noNewPrivileges)
    {
        UseProfile(DenyMkdir(), noNewPrivileges);
        Bundle.SetShell(Probe).Save();
        var r = RunOk("deny-mkdir profile");
        AssertStdoutContains(r, "Operation not permitted");
        AssertStdoutContains(r, "mkdir=1");
        AssertStdoutContains(r, "touch=0");
        AssertStdoutContains(r, "Seccomp:\t2");
        AssertStdoutContains(r, "done");
        Assert.Contains("f ", r.Stdout.Split('\n')); // /tmp holds the file and no directory
    }

    [Fact]
    public void DockersDefaultProfileBehavesAsUnderTheReferenceRuntime()
    {
        var path = Path.Combine(Fixture.RepoRoot!, "tests", "Carton.Linux.Tests", "Seccomp", "docker-default.json");
        var profile = JsonNode.Parse(File.ReadAllText(path))!;
        UseProfile(profile, noNewPrivileges: true);
        Bundle.SetShell(Probe).Save();
        var (actual, reference) = RunBoth();
        AssertSameOutput(actual, reference);
        AssertStdoutContains(actual, "mkdir=0"); // Docker's profile allows mkdir
        AssertStdoutContains(actual, "Seccomp:\t2");
    }

    [Fact]
    public void AnInvalidProfileIsRefusedNamingTheFieldAndLeavesNothing()
    {
        var profile = DenyMkdir();
        profile["syscalls"]![0]!["action"] = "SCMP_ACT_NOPE";
        UseProfile(profile, noNewPrivileges: true);
        Bundle.SetShell("true").Save();
        var r = RunContainer(Env.NewId());
        AssertFailed(r, "invalid seccomp action");
        if (!Fixture.RuntimeIsRunc) Assert.Contains("linux.seccomp.syscalls[0].action", r.Stderr);
    }
}
