using System.Diagnostics;
using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests.Rootless;

/// <summary>
/// A rootless container: the runtime run by an unprivileged user (issue 4). The test makes the user (carton-it) and
/// its /etc/subuid and /etc/subgid ranges if missing, builds a bundle it owns, and drives the runtime through
/// runuser(1), as the README tells a new user to do. carton only: runc's rootless mode needs a different setup
/// (XDG_RUNTIME_DIR and its own cgroup handling) and is not what is under test here.
/// </summary>
[Collection(ContainerCollection.Name)]
public sealed class RootlessTests : IDisposable
{
    private const string User = "carton-it";
    private readonly RuntimeFixture _fixture;
    private readonly string _dir;
    private readonly int _uid;
    private readonly long _subUid, _subGid;

    public RootlessTests(RuntimeFixture fixture)
    {
        _fixture = fixture;
        _fixture.RequirePrerequisites();
        Assert.True(File.Exists("/usr/bin/newuidmap"), "the rootless tests need newuidmap/newgidmap (Debian package uidmap; scripts/install-deps.sh installs it)");
        if (Run("id", ["-u", User]).Code != 0) Assert.Equal(0, Run("useradd", ["-M", "-s", "/bin/sh", User]).Code);
        _uid = int.Parse(Run("id", ["-u", User]).Output.Trim());
        foreach (var file in new[] { "/etc/subuid", "/etc/subgid" })
            if (!File.ReadAllLines(file).Any(l => l.StartsWith(User + ":", StringComparison.Ordinal)))
                File.AppendAllText(file, $"{User}:300000:65536\n");
        // useradd may have allocated ranges itself (SUB_UID_COUNT in login.defs): use whatever the files say.
        _subUid = SubStart("/etc/subuid");
        _subGid = SubStart("/etc/subgid");
        _dir = Directory.CreateTempSubdirectory("carton-rootless-").FullName;
        File.SetUnixFileMode(_dir, (UnixFileMode)0x1ED);
    }

    private static long SubStart(string file) =>
        long.Parse(File.ReadAllLines(file).First(l => l.StartsWith(User + ":", StringComparison.Ordinal)).Split(':')[1]);

    private bool NoContainerStateLeft()
    {
        var root = Path.Combine(_dir, "xdg", "carton", "runtime"); // the rootless default --root (architecture.md, "One layout on disk")
        return !Directory.Exists(root) || !Directory.GetDirectories(root).Any(d => !Path.GetFileName(d).StartsWith('.'));
    }

    public void Dispose()
    {
        Run("pkill", ["-9", "-u", User]);
        Directory.Delete(_dir, true);
    }

    private static (int Code, string Output) Run(string file, string[] args, string? cwd = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = cwd ?? "/" };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), $"{file} {string.Join(' ', args)} did not finish");
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private (int Code, string Output) AsUser(string cwd, params string[] args) =>
        Run("runuser", ["-u", User, "--", "env", $"XDG_RUNTIME_DIR={_dir}/xdg", _fixture.RuntimePath, .. args], cwd);

    private string MakeBundle(Action<JsonNode> edit)
    {
        var bundle = Path.Combine(_dir, "bundle-" + Guid.NewGuid().ToString("N")[..8]);
        Bundle.CreateRootfs(Path.Combine(bundle, "rootfs"));
        Directory.CreateDirectory(Path.Combine(_dir, "xdg"));
        Run("chown", ["-R", $"{User}:{User}", _dir]);
        var spec = AsUser(bundle, "spec", "--rootless");
        Assert.True(spec.Code == 0, $"spec --rootless failed: {spec.Output}");
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(bundle, "config.json")))!;
        config["process"]!["terminal"] = false;
        edit(config);
        File.WriteAllText(Path.Combine(bundle, "config.json"), config.ToJsonString());
        return bundle;
    }

    [Fact]
    public void RunsAsAnUnprivilegedUserWithItsOwnIdMapped()
    {
        if (_fixture.RuntimeIsRunc) return; // see the class comment
        var bundle = MakeBundle(c => c["process"]!["args"] = new JsonArray("sh", "-c", "id -u; cat /proc/self/uid_map; echo done"));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(bundle, "config.json")))!;
        Assert.Equal(_uid, (int)config["linux"]!["uidMappings"]![0]!["hostID"]!);
        var r = AsUser(bundle, "run", "rl-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.True(r.Code == 0, $"rootless run failed: {r.Output}");
        var lines = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("0", lines);
        Assert.Contains(lines, l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries)) == $"0 {_uid} 1");
        Assert.Contains("done", lines);
        Assert.Contains("rootless: cgroups are not delegated", r.Output); // said, not silent
        Assert.True(NoContainerStateLeft(), "a state directory was left behind");
    }

    [Fact]
    public void MapsSeveralRangesThroughNewuidmap()
    {
        if (_fixture.RuntimeIsRunc) return;
        var bundle = MakeBundle(c =>
        {
            c["linux"]!["uidMappings"] = new JsonArray(
                new JsonObject { ["containerID"] = 0, ["hostID"] = _uid, ["size"] = 1 },
                new JsonObject { ["containerID"] = 1, ["hostID"] = _subUid, ["size"] = 65536 });
            c["linux"]!["gidMappings"] = new JsonArray(
                new JsonObject { ["containerID"] = 0, ["hostID"] = _uid, ["size"] = 1 },
                new JsonObject { ["containerID"] = 1, ["hostID"] = _subGid, ["size"] = 65536 });
            c["process"]!["user"] = new JsonObject { ["uid"] = 1000, ["gid"] = 1000, ["additionalGids"] = new JsonArray(10) };
            c["process"]!["args"] = new JsonArray("sh", "-c", "id; wc -l < /proc/self/uid_map");
        });
        var r = AsUser(bundle, "run", "rl-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.True(r.Code == 0, $"rootless run with several ranges failed: {r.Output}");
        Assert.Matches(@"uid=1000(\(\w+\))? gid=1000(\(\w+\))? groups=10\b", r.Output);
        Assert.Contains("2", r.Output.Split('\n').Select(l => l.Trim()));
    }

    [Fact]
    public void AConfigWithoutAUserNamespaceIsRefusedWithAClearError()
    {
        if (_fixture.RuntimeIsRunc) return;
        var bundle = MakeBundle(c =>
        {
            var ns = (JsonArray)c["linux"]!["namespaces"]!;
            foreach (var n in ns.Where(n => (string?)n!["type"] == "user").ToList()) ns.Remove(n);
        });
        var r = AsUser(bundle, "run", "rl-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.NotEqual(0, r.Code);
        Assert.Contains("user namespace", r.Output);
        Assert.True(NoContainerStateLeft(), "a state directory was left behind");
    }
}
