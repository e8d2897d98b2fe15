using System.Text.Json;
using System.Text.Json.Nodes;
using Carton.IntegrationTests.Infrastructure;

namespace Carton.IntegrationTests.Tests;

/// <summary>--log/--log-format, `features`, `spec --rootless`.</summary>
public sealed class CliTests(RuntimeFixture fixture) : FeatureTestBase(fixture)
{
    private const string Preexisting = "preexisting line\n";

    private ProcessResult FailingCreateWithLog(string log, string format)
    {
        Bundle.SetArgs("true");
        Directory.Delete(Bundle.Rootfs, recursive: true);
        File.WriteAllText(log, Preexisting);
        return Rt.Exec(["--log", log, "--log-format", format, "create", "--bundle", Bundle.Dir, Env.NewId()]);
    }

    [Fact]
    public void LogJson_FailingCreateAppendsErrorLine()
    {
        var log = Path.Combine(Env.Dir, "runtime.log");
        var r = FailingCreateWithLog(log, "json");
        AssertFailed(r, "create with a missing rootfs");
        var text = File.ReadAllText(log);
        Assert.True(text.StartsWith(Preexisting, StringComparison.Ordinal), $"--log file was truncated instead of appended:\n{text}");
        var lines = text[Preexisting.Length..].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length > 0, $"nothing logged:\n{r}");
        var entries = new List<JsonNode>();
        foreach (var line in lines)
        {
            try
            {
                entries.Add(JsonNode.Parse(line) ?? throw new JsonException("null"));
            }
            catch (JsonException e)
            {
                Assert.Fail($"--log-format json wrote a non-JSON line '{line}': {e.Message}");
            }
        }
        var error = entries.FirstOrDefault(e => e["level"]?.GetValue<string>() == "error");
        Assert.True(error is not null, $"no level=error entry:\n{text}");
        var msg = error!["msg"]?.GetValue<string>() ?? "";
        Assert.True(msg.Contains("rootfs", StringComparison.Ordinal), $"error msg does not mention the rootfs: '{msg}'");
        Assert.True(error["time"] is not null, $"error entry lacks time: {error.ToJsonString()}");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void LogText_FailingCreateAppendsErrorLine()
    {
        var log = Path.Combine(Env.Dir, "runtime.log");
        var r = FailingCreateWithLog(log, "text");
        AssertFailed(r, "create with a missing rootfs");
        var text = File.ReadAllText(log);
        Assert.True(text.StartsWith(Preexisting, StringComparison.Ordinal), $"--log file was truncated instead of appended:\n{text}");
        var line = text[Preexisting.Length..].Split('\n').FirstOrDefault(l => l.Contains("level=error", StringComparison.Ordinal));
        Assert.True(line is not null && line.Contains("msg=", StringComparison.Ordinal) && line.Contains("rootfs", StringComparison.Ordinal),
            $"no 'level=error msg=...rootfs...' line:\n{text}");
        Env.AssertNoLeaks();
    }

    [Fact]
    public void Features_ValidJsonCoveringReferenceKeys()
    {
        var r = Rt.MustRun("features");
        JsonNode? features = null;
        try
        {
            features = JsonNode.Parse(r.Stdout);
        }
        catch (JsonException e)
        {
            Assert.Fail($"features output is not JSON: {e.Message}\n{r}");
        }
        Assert.NotNull(features);
        Assert.False(string.IsNullOrEmpty(features!["ociVersionMin"]?.GetValue<string>()), "ociVersionMin missing");
        Assert.False(string.IsNullOrEmpty(features["ociVersionMax"]?.GetValue<string>()), "ociVersionMax missing");
        var hooks = Strings(features["hooks"]);
        foreach (var h in new[] { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop" })
        {
            Assert.Contains(h, hooks);
        }
        var mountOptions = Strings(features["mountOptions"]);
        foreach (var o in new[] { "ro", "rw", "bind", "rbind", "rro", "tmpcopyup", "rprivate", "rslave", "nosuid" })
        {
            Assert.Contains(o, mountOptions);
        }
        var namespaces = Strings(features["linux"]?["namespaces"]);
        foreach (var ns in new[] { "cgroup", "ipc", "mount", "network", "pid", "user", "uts" })
        {
            Assert.Contains(ns, namespaces);
        }

        // Key presence / list coverage against the reference runtime.
        var refRt = Env.AddRuntime(Fixture.DiffRuntimePath, "diff-root");
        var reference = JsonNode.Parse(refRt.MustRun("features").Stdout)!;
        var missing = new List<string>();
        CompareKeys(reference, features, "", missing);
        foreach (var list in new[] { "mountOptions", "hooks" })
        {
            missing.AddRange(Strings(reference[list]).Except(Strings(features[list])).Select(v => $"{list}: {v}"));
        }
        missing.AddRange(Strings(reference["linux"]?["namespaces"]).Except(namespaces).Select(v => $"linux.namespaces: {v}"));
        missing.AddRange(Strings(reference["linux"]?["capabilities"]).Except(Strings(features["linux"]?["capabilities"])).Select(v => $"linux.capabilities: {v}"));
        Assert.True(missing.Count == 0, $"features lacks what the reference runtime reports:\n  {string.Join("\n  ", missing)}\n{r}");
        Env.AssertNoLeaks();
    }

    private static void CompareKeys(JsonNode reference, JsonNode? actual, string path, List<string> missing)
    {
        if (reference is not JsonObject refObj)
        {
            return;
        }
        // Annotations are implementation specific; seccomp/apparmor/selinux details only exist when enabled.
        foreach (var (key, value) in refObj)
        {
            var p = path.Length == 0 ? key : path + "." + key;
            if (p == "annotations" || (path.Length > 0 && key != "enabled" && path.StartsWith("linux.", StringComparison.Ordinal) && path.Count(c => c == '.') >= 1))
            {
                continue;
            }
            if (actual is not JsonObject obj || !obj.ContainsKey(key))
            {
                missing.Add("key " + p);
                continue;
            }
            if (value is not null)
            {
                CompareKeys(value, obj[key], p, missing);
            }
        }
    }

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(n => n!.GetValue<string>()).ToList() : [];

    [Fact]
    public void SpecRootless_HasUserNamespaceAndMappings_RunsAsRoot()
    {
        // Build the bundle by hand in the standard bundle dir (so LeakCheck's rootfs marker applies).
        var dir = Env.BundleDir;
        Bundle.CreateRootfs(Path.Combine(dir, "rootfs"));
        File.WriteAllText(Path.Combine(dir, "rootfs", Env.RootfsMarker), "");
        var spec = Rt.Exec(["spec", "--rootless"], workingDirectory: dir);
        Assert.True(spec.Succeeded, $"spec --rootless failed:\n{spec}");
        var configPath = Path.Combine(dir, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!;
        var namespaces = ((JsonArray)config["linux"]!["namespaces"]!).Select(n => n!["type"]!.GetValue<string>()).ToList();
        Assert.Contains("user", namespaces);
        var uidMappings = config["linux"]?["uidMappings"] as JsonArray;
        var gidMappings = config["linux"]?["gidMappings"] as JsonArray;
        Assert.True(uidMappings is { Count: > 0 } && gidMappings is { Count: > 0 }, $"spec --rootless lacks uid/gid mappings:\n{config}");
        Assert.Equal(0, uidMappings![0]!["hostID"]!.GetValue<int>()); // the caller (root) is the mapped host id
        Assert.Equal(0, uidMappings[0]!["containerID"]!.GetValue<int>());

        config["process"]!["terminal"] = false;
        config["process"]!["args"] = Bundle.ToArray(["sh", "-c", "echo uid=$(id -u); echo uidmap=$(cat /proc/self/uid_map); echo userns=$(readlink /proc/self/ns/user)"]);
        File.WriteAllText(configPath, config.ToJsonString());

        var r = Rt.Exec(["run", "--bundle", dir, Env.NewId()]);
        Assert.True(r.Succeeded, $"running the `spec --rootless` config as root failed:\n{r}");
        var kv = KeyValues(r.Stdout);
        Assert.True(kv.GetValueOrDefault("uid") == "0", $"uid inside:\n{r}");
        Assert.True(kv.GetValueOrDefault("uidmap") is { } m && string.Join(' ', m.Split(' ', StringSplitOptions.RemoveEmptyEntries)) == "0 0 1", $"uid_map inside:\n{r}");
        Assert.NotEqual(new FileInfo("/proc/self/ns/user").LinkTarget, kv.GetValueOrDefault("userns"));
        Env.AssertNoLeaks();
    }
}
