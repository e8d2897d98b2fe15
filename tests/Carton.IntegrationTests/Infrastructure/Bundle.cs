using System.Text.Json;
using System.Text.Json.Nodes;

namespace Carton.IntegrationTests.Infrastructure;

/// <summary>
/// An OCI bundle with a static busybox rootfs. config.json is produced by the runtime's own
/// <c>spec</c> command (so `spec` is exercised by every test) and then edited through JsonNode helpers.
/// Every mutator rewrites config.json immediately.
/// </summary>
public sealed class Bundle
{
    private static readonly Lazy<string[]> Applets = new(() =>
    {
        var r = ProcessRunner.Run(RuntimeFixture.BusyboxPath, ["--list"]);
        Assert.True(r.Succeeded, $"busybox --list failed:\n{r}");
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    });

    private Bundle(string dir, JsonNode config)
    {
        Dir = dir;
        Config = config;
    }

    public string Dir { get; }

    public string Rootfs => Path.Combine(Dir, "rootfs");

    public string ConfigPath => Path.Combine(Dir, "config.json");

    public JsonNode Config { get; private set; }

    /// <summary>Creates the rootfs under <paramref name="dir"/> and generates config.json with `<paramref name="runtime"/> spec`.</summary>
    public static Bundle Create(Runtime runtime, string dir, string? rootfsMarker = null)
    {
        CreateRootfs(Path.Combine(dir, "rootfs"));
        if (rootfsMarker is not null)
        {
            File.WriteAllText(Path.Combine(dir, "rootfs", rootfsMarker), "");
        }
        var r = runtime.Spec(dir);
        Assert.True(r.Succeeded, $"`{runtime.Name} spec` failed:\n{r}");
        var path = Path.Combine(dir, "config.json");
        Assert.True(File.Exists(path), $"`{runtime.Name} spec` did not create {path}:\n{r}");
        var config = JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException("config.json is null");
        var bundle = new Bundle(dir, config);
        bundle.SetTerminal(false);
        return bundle;
    }

    public static void CreateRootfs(string rootfs)
    {
        var bin = Path.Combine(rootfs, "bin");
        Directory.CreateDirectory(bin);
        foreach (var d in new[] { "proc", "sys", "dev", "tmp", "etc", "root", "home/user" })
        {
            Directory.CreateDirectory(Path.Combine(rootfs, d));
        }
        File.Copy(RuntimeFixture.BusyboxPath, Path.Combine(bin, "busybox"));
        File.SetUnixFileMode(Path.Combine(bin, "busybox"), (UnixFileMode)0b111_101_101);
        foreach (var applet in Applets.Value)
        {
            var link = Path.Combine(bin, applet);
            if (applet != "busybox" && !File.Exists(link))
            {
                File.CreateSymbolicLink(link, "busybox");
            }
        }
        File.SetUnixFileMode(Path.Combine(rootfs, "tmp"), (UnixFileMode)0b1_111_111_111);
        File.WriteAllText(Path.Combine(rootfs, "etc/passwd"),
            "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n");
        File.WriteAllText(Path.Combine(rootfs, "etc/group"),
            "root:x:0:\nuser:x:1000:\n");
    }

    public Bundle Save()
    {
        File.WriteAllText(ConfigPath, Config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return this;
    }

    /// <summary>Arbitrary edit of the config tree.</summary>
    public Bundle Mutate(Action<JsonNode> edit)
    {
        edit(Config);
        return Save();
    }

    public JsonObject Process => (JsonObject)(Config["process"] ??= new JsonObject());

    public JsonObject Linux => (JsonObject)(Config["linux"] ??= new JsonObject());

    public Bundle SetArgs(params string[] args) => Mutate(_ => Process["args"] = ToArray(args));

    /// <summary>Shorthand for <c>sh -c script</c>.</summary>
    public Bundle SetShell(string script) => SetArgs("sh", "-c", script);

    public Bundle SetTerminal(bool terminal) => Mutate(_ => Process["terminal"] = terminal);

    public Bundle SetHostname(string hostname) => Mutate(c => c["hostname"] = hostname);

    public Bundle SetEnv(params string[] env) => Mutate(_ => Process["env"] = ToArray(env));

    public Bundle SetUser(uint uid, uint gid, params uint[] additionalGids) => Mutate(_ =>
    {
        var user = new JsonObject { ["uid"] = uid, ["gid"] = gid };
        if (additionalGids.Length > 0)
        {
            user["additionalGids"] = new JsonArray(additionalGids.Select(g => (JsonNode)JsonValue.Create(g)).ToArray());
        }
        Process["user"] = user;
    });

    public Bundle AddMount(string destination, string type, string source, params string[] options) => Mutate(c =>
    {
        var mounts = (JsonArray)(c["mounts"] ??= new JsonArray());
        mounts.Add(new JsonObject
        {
            ["destination"] = destination,
            ["type"] = type,
            ["source"] = source,
            ["options"] = ToArray(options),
        });
    });

    /// <summary>Bind mounts a host directory (rbind, rw).</summary>
    public Bundle AddBindMount(string hostPath, string containerPath, bool readOnly = false) =>
        AddMount(containerPath, "bind", hostPath, readOnly ? ["rbind", "ro"] : ["rbind", "rw"]);

    /// <summary>Adds a hook (hookName = createRuntime, createContainer, startContainer, poststart, poststop, prestart).</summary>
    public Bundle AddHook(string hookName, string path, string[] args, string[]? env = null, int? timeout = null) => Mutate(c =>
    {
        var hooks = (JsonObject)(c["hooks"] ??= new JsonObject());
        var list = (JsonArray)(hooks[hookName] ??= new JsonArray());
        var hook = new JsonObject { ["path"] = path, ["args"] = ToArray(args) };
        if (env is not null)
        {
            hook["env"] = ToArray(env);
        }
        if (timeout is not null)
        {
            hook["timeout"] = timeout.Value;
        }
        list.Add(hook);
    });

    public IReadOnlyList<string> StringArray(JsonNode? node) =>
        node is JsonArray a ? a.Select(n => n!.GetValue<string>()).ToList() : [];

    public static JsonArray ToArray(IEnumerable<string> items) => new(items.Select(s => (JsonNode)JsonValue.Create(s)).ToArray());
}
