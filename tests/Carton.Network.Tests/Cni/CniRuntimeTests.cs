using System.Diagnostics;
using System.Text.Json.Nodes;
using Carton.Network.Cni;

namespace Carton.Network.Tests.Cni;

/// <summary>The runtime against shell plugins (<see cref="TestPlugins"/>): the protocol, chaining, the cache,
/// failures, negotiation, STATUS and GC.</summary>
public sealed class CniRuntimeTests : IDisposable
{
    private readonly TestPlugins _p = new();

    public void Dispose() => _p.Dispose();

    [Fact]
    public async Task AddChainsPrevResultAndCachesTheFinalResult()
    {
        _p.Add("a", octet: 2);
        _p.Add("b", octet: 3);
        var rt = new CniRuntime(_p.Options());
        var list = TestPlugins.List("web", "a", "b");

        var result = await rt.AddAsync(list, TestPlugins.Rt());

        Assert.Equal(["a ADD c1", "b ADD c1"], _p.Calls());
        Assert.False(_p.Stdin("a", "ADD").ContainsKey("prevResult"));
        var bIn = _p.Stdin("b", "ADD");
        Assert.Equal("if-a", (string?)bIn["prevResult"]!["interfaces"]![0]!["name"]);
        Assert.Equal("web", (string?)bIn["name"]);
        Assert.Equal("1.0.0", (string?)bIn["cniVersion"]);
        Assert.Equal("10.99.0.3/24", Assert.Single(result.Ips).Address);

        var cached = rt.GetCached("web", "c1", "eth0");
        Assert.NotNull(cached);
        Assert.Equal("10.99.0.3/24", cached.Result!.Ips[0].Address);
        Assert.Equal(list.Json, cached.Config.Json);
        Assert.Equal("/run/netns/c1", cached.NetnsPath);
    }

    [Fact]
    public async Task PassesTheCniEnvironmentAndNothingElse()
    {
        _p.Add("a");
        var rt = new CniRuntime(_p.Options());
        await rt.AddAsync(TestPlugins.List("web", "a"), new CniRuntimeConfig
        {
            ContainerId = "c9", IfName = "net1", NetnsPath = "/run/netns/c9",
            Args = [new("IgnoreUnknown", "1"), new("K8S_POD_NAME", "web-0")],
        });
        var env = _p.Env("a", "ADD");
        Assert.Equal("ADD", env["CNI_COMMAND"]);
        Assert.Equal("c9", env["CNI_CONTAINERID"]);
        Assert.Equal("/run/netns/c9", env["CNI_NETNS"]);
        Assert.Equal("net1", env["CNI_IFNAME"]);
        Assert.Equal("IgnoreUnknown=1;K8S_POD_NAME=web-0", env["CNI_ARGS"]);
        Assert.Equal(_p.PluginDir, env["CNI_PATH"]);
        Assert.Equal("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", env["PATH"]);
        Assert.Equal("yes", env["CARTON_TEST_EXTRA"]);
        // sh itself sets PWD (and maybe SHLVL, OLDPWD): everything else comes from the runtime.
        Assert.Empty(env.Keys.Except(["CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH", "PATH", "CARTON_TEST_EXTRA", "PWD", "SHLVL", "OLDPWD", "_"]));
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("DOTNET_", StringComparison.Ordinal));
        Assert.Equal("VERSION", _p.Env("a", "VERSION")["CNI_COMMAND"]);
    }

    [Fact]
    public async Task CapabilityArgsReachOnlyPluginsThatDeclareThem()
    {
        _p.Add("a");
        _p.Add("b");
        var rt = new CniRuntime(_p.Options());
        var list = TestPlugins.List("web", """{"type":"a","capabilities":{"portMappings":true,"mac":false}}""", "b");
        await rt.AddAsync(list, new CniRuntimeConfig
        {
            ContainerId = "c1", IfName = "eth0", NetnsPath = "/run/netns/c1",
            CapabilityArgs = new Dictionary<string, JsonNode?>
            {
                ["portMappings"] = JsonNode.Parse("""[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]"""),
                ["mac"] = "aa:bb:cc:dd:ee:ff",
            },
        });
        var aIn = _p.Stdin("a", "ADD");
        Assert.Equal(["portMappings"], aIn["runtimeConfig"]!.AsObject().Select(kv => kv.Key));
        Assert.Equal(8080, (int)aIn["runtimeConfig"]!["portMappings"]![0]!["hostPort"]!);
        Assert.False(_p.Stdin("b", "ADD").ContainsKey("runtimeConfig"));
    }

    [Fact]
    public async Task DeleteRunsInReverseWithTheCachedResultAndDropsTheCache()
    {
        _p.Add("a", octet: 2);
        _p.Add("b", octet: 3);
        var rt = new CniRuntime(_p.Options());
        var list = TestPlugins.List("web", "a", "b");
        await rt.AddAsync(list, TestPlugins.Rt());

        await rt.DeleteAsync(list, TestPlugins.Rt());

        Assert.Equal(["a ADD c1", "b ADD c1", "b DEL c1", "a DEL c1"], _p.Calls());
        Assert.Equal("10.99.0.3/24", (string?)_p.Stdin("a", "DEL")["prevResult"]!["ips"]![0]!["address"]);
        Assert.Equal("10.99.0.3/24", (string?)_p.Stdin("b", "DEL")["prevResult"]!["ips"]![0]!["address"]);
        Assert.Null(rt.GetCached("web", "c1", "eth0"));
    }

    [Fact]
    public async Task DeleteAfterARestartUsesTheCachedConfiguration()
    {
        _p.Add("a");
        _p.Add("b");
        var caps = new Dictionary<string, JsonNode?> { ["portMappings"] = JsonNode.Parse("[1]") };
        await new CniRuntime(_p.Options()).AddAsync(TestPlugins.List("web", """{"type":"a","capabilities":{"portMappings":true}}""", "b"),
            new CniRuntimeConfig { ContainerId = "c1", IfName = "eth0", NetnsPath = "/run/netns/c1", Args = [new("K", "V")], CapabilityArgs = caps });

        // A new runtime (the daemon restarted) and no configuration: the cache has it.
        var restarted = new CniRuntime(_p.Options());
        Assert.Single(restarted.ListCached("web"));
        await restarted.DeleteAsync(null, TestPlugins.Rt());

        Assert.Equal(["a ADD c1", "b ADD c1", "b DEL c1", "a DEL c1"], _p.Calls());
        var aDel = _p.Stdin("a", "DEL");
        Assert.Equal("web", (string?)aDel["name"]);
        Assert.NotNull(aDel["prevResult"]);
        Assert.Equal(1, (int)aDel["runtimeConfig"]!["portMappings"]![0]!);
        Assert.Equal("K=V", _p.Env("a", "DEL")["CNI_ARGS"]);
        Assert.Empty(restarted.ListCached());

        // Nothing cached and no list: nothing to run.
        await restarted.DeleteAsync(null, TestPlugins.Rt());
        Assert.Equal(4, _p.Calls().Count);
    }

    [Fact]
    public async Task DeleteOfAnAttachmentNeverAddedRunsWithoutPrevResult()
    {
        _p.Add("a");
        var rt = new CniRuntime(_p.Options());
        await rt.DeleteAsync(TestPlugins.List("web", "a"), TestPlugins.Rt("ghost"));
        Assert.Equal(["a DEL ghost"], _p.Calls());
        Assert.False(_p.Stdin("a", "DEL").ContainsKey("prevResult"));
    }

    [Fact]
    public async Task DeleteByNetworkNameUsesTheCache()
    {
        _p.Add("a");
        var rt = new CniRuntime(_p.Options());
        await rt.AddAsync(TestPlugins.List("web", "a"), TestPlugins.Rt());
        await rt.DeleteByNetworkNameAsync("other", TestPlugins.Rt());
        Assert.Equal(["a ADD c1"], _p.Calls());
        await rt.DeleteByNetworkNameAsync("web", TestPlugins.Rt());
        Assert.Equal(["a ADD c1", "a DEL c1"], _p.Calls());
        Assert.Null(rt.GetCached("web", "c1", "eth0"));
    }

    [Fact]
    public async Task AFailedDeleteKeepsTheCacheAndStillDeletesTheRest()
    {
        _p.Add("a");
        _p.Add("b");
        var rt = new CniRuntime(_p.Options());
        var list = TestPlugins.List("web", "a", "b");
        await rt.AddAsync(list, TestPlugins.Rt());
        _p.SetMode("b", "DEL", "error", """{"code":5,"msg":"cannot open"}""");
        var e = await Assert.ThrowsAsync<CniPluginException>(() => rt.DeleteAsync(list, TestPlugins.Rt()));
        Assert.Equal("b", e.Plugin);
        Assert.Equal("DEL", e.Command);
        Assert.Equal(ErrorKind.Internal, e.Kind);
        Assert.Equal(["a ADD c1", "b ADD c1", "b DEL c1", "a DEL c1"], _p.Calls());
        Assert.NotNull(rt.GetCached("web", "c1", "eth0"));
    }

    [Fact]
    public async Task AnAddFailingInTheSecondPluginDeletesTheChainAndThrowsTyped()
    {
        _p.Add("a");
        _p.Add("b");
        _p.SetMode("b", "ADD", "error", """{"cniVersion":"1.0.0","code":7,"msg":"invalid bridge name","details":"too long"}""");
        var rt = new CniRuntime(_p.Options());
        var e = await Assert.ThrowsAsync<CniPluginException>(() => rt.AddAsync(TestPlugins.List("web", "a", "b"), TestPlugins.Rt()));

        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Equal(7u, e.CniCode);
        Assert.Equal("b", e.Plugin);
        Assert.Equal("ADD", e.Command);
        Assert.Equal("too long", e.Details);
        Assert.Equal("network \"web\": plugin \"b\" (ADD): invalid bridge name: too long (code 7)", e.Message);
        Assert.Equal(["a ADD c1", "b ADD c1", "b DEL c1", "a DEL c1"], _p.Calls());
        Assert.False(_p.Stdin("a", "DEL").ContainsKey("prevResult"));
        Assert.Null(rt.GetCached("web", "c1", "eth0"));
    }

    [Fact]
    public async Task AFailingCleanupIsAddedToTheAddError()
    {
        _p.Add("a");
        _p.Add("b");
        _p.SetMode("b", "ADD", "error", """{"code":11,"msg":"busy"}""");
        _p.SetMode("a", "DEL", "stderr");
        var rt = new CniRuntime(_p.Options());
        var e = await Assert.ThrowsAsync<CniPluginException>(() => rt.AddAsync(TestPlugins.List("web", "a", "b"), TestPlugins.Rt()));
        Assert.Equal(ErrorKind.Unavailable, e.Kind);
        Assert.Equal("b", e.Plugin);
        Assert.StartsWith("network \"web\": plugin \"b\" (ADD): busy (code 11); the cleanup DEL failed too: network \"web\": plugin \"a\" (DEL): exited with status 2: something broke: no such thing", e.Message);
    }

    [Fact]
    public async Task AnAddWithoutAResultFails()
    {
        _p.Add("a");
        _p.SetMode("a", "ADD", "empty");
        var rt = new CniRuntime(_p.Options());
        var e = await Assert.ThrowsAsync<CartonException>(() => rt.AddAsync(TestPlugins.List("web", "a"), TestPlugins.Rt()));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Contains("plugin \"a\" (ADD): returned no result", e.Message);
        Assert.Equal(["a ADD c1", "a DEL c1"], _p.Calls());
    }

    [Fact]
    public async Task ANonZeroExitWithoutJsonCarriesStderr()
    {
        _p.Add("a");
        _p.SetMode("a", "ADD", "stderr");
        var rt = new CniRuntime(_p.Options());
        var e = await Assert.ThrowsAsync<CniPluginException>(() => rt.AddAsync(TestPlugins.List("web", "a"), TestPlugins.Rt()));
        Assert.Equal(ErrorKind.Internal, e.Kind);
        Assert.Equal(0u, e.CniCode);
        Assert.Equal("network \"web\": plugin \"a\" (ADD): exited with status 2: something broke: no such thing", e.Message);
    }

    [Fact]
    public async Task AHangingPluginIsKilledWithItsChildrenAfterTheTimeout()
    {
        _p.Add("a");
        _p.SetMode("a", "ADD", "hang");
        var rt = new CniRuntime(_p.Options(TimeSpan.FromSeconds(1.5)));
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<CniPluginException>(() => rt.AddAsync(TestPlugins.List("web", "a"), TestPlugins.Rt()));
        watch.Stop();

        Assert.Equal(ErrorKind.Timeout, e.Kind);
        Assert.Equal("network \"web\": plugin \"a\" (ADD): did not finish within 1.5s and was killed (with its children)", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        var pid = int.Parse(File.ReadAllText(Path.Combine(_p.StateDir, "a.pid")).Trim());
        var child = int.Parse(File.ReadAllText(Path.Combine(_p.StateDir, "a.child")).Trim());
        Assert.True(await GoneAsync(pid), $"plugin {pid} still runs");
        Assert.True(await GoneAsync(child), $"its child {child} still runs");
        // The failed ADD was cleaned up.
        Assert.Contains("a DEL c1", _p.Calls());
    }

    [Fact]
    public async Task CancellationKillsThePlugin()
    {
        _p.Add("a");
        _p.SetMode("a", "ADD", "hang");
        var rt = new CniRuntime(_p.Options());
        using var cts = new CancellationTokenSource();
        var add = rt.AddAsync(TestPlugins.List("web", "a"), TestPlugins.Rt(), cts.Token);
        var pidFile = Path.Combine(_p.StateDir, "a.pid");
        for (var i = 0; i < 200 && !File.Exists(pidFile); i++) await Task.Delay(50);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => add);
        Assert.True(await GoneAsync(int.Parse(File.ReadAllText(pidFile).Trim())));
    }

    // A process is gone when /proc has no entry for it, or only a zombie's.
    private static async Task<bool> GoneAsync(int pid)
    {
        for (var i = 0; i < 100; i++)
        {
            string stat;
            try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
            catch (IOException) { return true; }
            if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z')) return true;
            await Task.Delay(50);
        }
        return false;
    }

    [Fact]
    public async Task AMissingPluginIsNotFoundNamingItAndTheDirectories()
    {
        _p.Add("a");
        var rt = new CniRuntime(_p.Options());
        var e = await Assert.ThrowsAsync<CniPluginException>(() => rt.AddAsync(TestPlugins.List("web", "a", "nosuch"), TestPlugins.Rt()));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Equal("nosuch", e.Plugin);
        Assert.Equal($"network \"web\": plugin \"nosuch\" (ADD): plugin binary \"nosuch\" not found in {_p.PluginDir}", e.Message);
        Assert.Empty(_p.Calls());
        var v = await Assert.ThrowsAsync<CniPluginException>(() => rt.VersionAsync("nosuch"));
        Assert.Equal(ErrorKind.NotFound, v.Kind);
        Assert.Equal(ErrorKind.InvalidDocument, (await Assert.ThrowsAsync<CniPluginException>(() => rt.VersionAsync("../a"))).Kind);
    }

    [Fact]
    public async Task AVersionTheListNeedsButThePluginLacksIsUnsupported()
    {
        _p.Add("a");
        _p.Add("old", versions: ["0.3.1", "0.4.0"]);
        var rt = new CniRuntime(_p.Options());
        var e = await Assert.ThrowsAsync<CniPluginException>(() => rt.AddAsync(TestPlugins.List("web", "a", "old"), TestPlugins.Rt()));
        Assert.Equal(ErrorKind.Unsupported, e.Kind);
        Assert.Equal("network \"web\": plugin \"old\" does not support the network's CNI version 1.0.0 (it supports 0.3.1, 0.4.0)", e.Message);
        Assert.Empty(_p.Calls());

        var info = await rt.VersionAsync("old");
        Assert.Equal(["0.3.1", "0.4.0"], info.SupportedVersions);
        Assert.Equal("1.1.0", (string?)_p.Stdin("old", "VERSION")["cniVersion"]);
    }

    [Fact]
    public async Task VersionAnswersAreCachedUntilTheBinaryChanges()
    {
        _p.Add("a");
        var rt = new CniRuntime(_p.Options());
        var list = TestPlugins.List("web", "a");
        await rt.AddAsync(list, TestPlugins.Rt("c1"));
        await rt.AddAsync(list, TestPlugins.Rt("c2"));
        Assert.Single(_p.Log(), l => l.StartsWith("a VERSION", StringComparison.Ordinal));
        File.SetLastWriteTimeUtc(Path.Combine(_p.PluginDir, "a"), DateTime.UtcNow.AddMinutes(-5));
        await rt.AddAsync(list, TestPlugins.Rt("c3"));
        Assert.Equal(2, _p.Log().Count(l => l.StartsWith("a VERSION", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task CheckRunsInOrderWithTheCachedResult()
    {
        _p.Add("a");
        _p.Add("b", octet: 7);
        var rt = new CniRuntime(_p.Options());
        var list = TestPlugins.List("web", "a", "b");
        var missing = await Assert.ThrowsAsync<CartonException>(() => rt.CheckAsync(list, TestPlugins.Rt()));
        Assert.Equal(ErrorKind.NotFound, missing.Kind);

        await rt.AddAsync(list, TestPlugins.Rt());
        await rt.CheckAsync(list, TestPlugins.Rt());
        Assert.Equal(["a ADD c1", "b ADD c1", "a CHECK c1", "b CHECK c1"], _p.Calls());
        Assert.Equal("10.99.0.7/24", (string?)_p.Stdin("a", "CHECK")["prevResult"]!["ips"]![0]!["address"]);

        _p.SetMode("b", "CHECK", "error", """{"code":3,"msg":"interface eth0 not found"}""");
        var e = await Assert.ThrowsAsync<CniPluginException>(() => rt.CheckAsync(list, TestPlugins.Rt()));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Equal("CHECK", e.Command);
    }

    [Fact]
    public async Task CheckIsSkippedWhenDisabledAndRefusedBefore040()
    {
        _p.Add("a");
        var rt = new CniRuntime(_p.Options());
        var disabled = CniConfigList.Parse("""{"cniVersion":"1.0.0","name":"web","disableCheck":true,"plugins":[{"type":"a"}]}""", "t");
        await rt.AddAsync(disabled, TestPlugins.Rt());
        await rt.CheckAsync(disabled, TestPlugins.Rt());
        Assert.DoesNotContain(_p.Calls(), c => c.Contains("CHECK"));

        var old = TestPlugins.ListV("web", "0.3.1", "a");
        var e = await Assert.ThrowsAsync<CartonException>(() => rt.CheckAsync(old, TestPlugins.Rt()));
        Assert.Equal(ErrorKind.Unsupported, e.Kind);
    }

    [Fact]
    public async Task StatusReachesOnly11Plugins()
    {
        _p.Add("new");
        _p.Add("old", versions: ["0.4.0", "1.0.0"]);
        var rt = new CniRuntime(_p.Options());
        var list = TestPlugins.List("web", "new", "old");
        await rt.StatusAsync(list);
        Assert.Equal(["new STATUS"], _p.Calls());
        var stdin = _p.Stdin("new", "STATUS");
        Assert.Equal("1.1.0", (string?)stdin["cniVersion"]);
        Assert.Equal("web", (string?)stdin["name"]);

        _p.SetMode("new", "STATUS", "error", """{"cniVersion":"1.1.0","code":50,"msg":"the bridge is down"}""");
        var e = await Assert.ThrowsAsync<CniPluginException>(() => rt.StatusAsync(list));
        Assert.Equal(ErrorKind.Unavailable, e.Kind);
        Assert.Equal(50u, e.CniCode);
        Assert.Equal("network \"web\": plugin \"new\" (STATUS): the bridge is down (code 50)", e.Message);
    }

    [Fact]
    public async Task GcDeletesStaleAttachmentsAndSendsTheValidOnesTo11Plugins()
    {
        _p.Add("new");
        _p.Add("old", versions: ["0.4.0", "1.0.0"]);
        var rt = new CniRuntime(_p.Options());
        var list = TestPlugins.List("web", "new", "old");
        await rt.AddAsync(list, TestPlugins.Rt("keep"));
        await rt.AddAsync(list, TestPlugins.Rt("stale"));
        await rt.AddAsync(TestPlugins.List("other", "new"), TestPlugins.Rt("stale"));

        await rt.GcAsync(list, [new CniAttachmentKey("keep", "eth0")]);

        Assert.Equal(["old DEL stale", "new DEL stale", "new GC"], _p.Calls().Skip(5));
        var gc = _p.Stdin("new", "GC");
        var valid = gc["cni.dev/valid-attachments"]!.AsArray();
        Assert.Equal("keep", (string?)Assert.Single(valid)!["containerID"]);
        Assert.Equal("eth0", (string?)valid[0]!["ifname"]);
        Assert.Equal("1.1.0", (string?)gc["cniVersion"]);
        Assert.Equal(["keep"], rt.ListCached("web").Select(a => a.ContainerId));
        // Another network's entry for the same container is not this GC's business.
        Assert.Single(rt.ListCached("other"));
    }

    [Fact]
    public async Task GcIsANoOpWhenDisabled()
    {
        _p.Add("new");
        var rt = new CniRuntime(_p.Options());
        var list = CniConfigList.Parse("""{"cniVersion":"1.0.0","name":"web","disableGC":true,"plugins":[{"type":"new"}]}""", "t");
        await rt.AddAsync(list, TestPlugins.Rt("stale"));
        await rt.GcAsync(list, []);
        Assert.Equal(["new ADD stale"], _p.Calls());
        Assert.Single(rt.ListCached("web"));
    }

    [Fact]
    public async Task InvalidAttachmentsAreRefusedBeforeAnyPluginRuns()
    {
        _p.Add("a");
        var rt = new CniRuntime(_p.Options());
        var e = await Assert.ThrowsAsync<CartonException>(() => rt.AddAsync(TestPlugins.List("web", "a"), TestPlugins.Rt("x/y")));
        Assert.Equal("containerId", e.JsonPath);
        var args = await Assert.ThrowsAsync<CartonException>(() => rt.AddAsync(TestPlugins.List("web", "a"),
            new CniRuntimeConfig { ContainerId = "c", IfName = "eth0", NetnsPath = "", Args = [new("A", "1;B=2")] }));
        Assert.Equal("args[0]", args.JsonPath);
        Assert.Empty(_p.Log());
    }
}
