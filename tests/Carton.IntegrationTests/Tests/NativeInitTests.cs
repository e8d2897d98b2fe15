using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

/// <summary>
/// Issue 14: `create` leaves a container whose pid 1 is carton-dmz, a small native process running the setup plan:
/// no .NET runtime mapped, not carton as /proc/PID/exe, a peak RSS of a few hundred kilobytes at most. carton only
/// (runc's init is runc).
/// </summary>
public sealed class NativeInitTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    private int CreateAndGetPid(string id)
    {
        var create = Rt.Exec(["create", "--bundle", Bundle.Dir, id]);
        Assert.True(create.Succeeded, $"create failed:\n{create}");
        return JsonNode.Parse(Rt.MustRun("state", id).Stdout)!["pid"]!.GetValue<int>();
    }

    [Fact]
    public void CreatedContainer_Pid1IsCartonDmz_NoDotnetRuntime_SmallRss()
    {
        if (Fixture.RuntimeIsRunc) return;
        Bundle.SetArgs("sleep", "1000");
        var id = Env.NewId();
        int pid = CreateAndGetPid(id);
        Assert.Equal("/memfd:carton-dmz (deleted)", new FileInfo($"/proc/{pid}/exe").LinkTarget);
        var maps = File.ReadAllText($"/proc/{pid}/maps");
        // A NativeAOT carton maps its own binary (a memfd named "carton"); the JIT would map libcoreclr.
        Assert.DoesNotContain("/memfd:carton (deleted)", maps);
        Assert.DoesNotContain("libcoreclr", maps);
        Assert.DoesNotContain("libSystem.Native", maps);
        long hwm = long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(hwm <= 2048, $"the init's peak RSS is {hwm} kB, the goal is at most 2 MB");
        Rt.MustRun("start", id);
        Assert.True(Poll.Until(() => new FileInfo($"/proc/{pid}/exe").LinkTarget?.EndsWith("/busybox", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(10)),
            $"the init did not become the user's process: exe is {new FileInfo($"/proc/{pid}/exe").LinkTarget}");
        Rt.MustRun("delete", "--force", id);
        Env.AssertNoLeaks();
    }
}
