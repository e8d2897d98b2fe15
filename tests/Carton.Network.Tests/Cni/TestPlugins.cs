using System.Text.Json.Nodes;
using Carton.Network.Cni;

namespace Carton.Network.Tests.Cni;

/// <summary>
/// Shell plugins for the runtime's tests, written into a temporary plugin directory. Each logs every call (the
/// sequence, its command, its environment and stdin) into the state directory and does what the test set for that
/// command: answer (a canned result for ADD), print a CNI error, write to stderr and exit 1, exit 0 silently, or hang.
/// </summary>
internal sealed class TestPlugins : IDisposable
{
    public TestPlugins()
    {
        Root = Path.Combine(Path.GetTempPath(), "carton-cni-" + Guid.NewGuid().ToString("N")[..12]);
        PluginDir = Path.Combine(Root, "plugins");
        StateDir = Path.Combine(Root, "state");
        CacheDir = Path.Combine(Root, "cache");
        Directory.CreateDirectory(PluginDir);
        Directory.CreateDirectory(StateDir);
    }

    public string Root { get; }
    public string PluginDir { get; }
    public string StateDir { get; }
    public string CacheDir { get; }

    /// <summary>Writes plugin <paramref name="name"/>; it answers VERSION with <paramref name="versions"/> and ADD
    /// with an interface "if-NAME" and address 10.99.0.<paramref name="octet"/>/24.</summary>
    public void Add(string name, int octet = 2, string[]? versions = null)
    {
        versions ??= ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"];
        var supported = string.Join(",", versions.Select(v => $"\"{v}\""));
        File.WriteAllText(Path.Combine(StateDir, name + ".result"),
            $$$"""{"cniVersion":"1.0.0","interfaces":[{"name":"if-{{{name}}}","sandbox":"/run/netns/x"}],"ips":[{"address":"10.99.0.{{{octet}}}/24","gateway":"10.99.0.1","interface":0}],"dns":{"nameservers":["10.99.0.1"]}}""");
        var script = $$"""
            #!/bin/sh
            S='{{StateDir}}'
            N='{{name}}'
            stdin=$(cat)
            fds=$(readlink /proc/$$/fd/0 /proc/$$/fd/1 /proc/$$/fd/2)
            echo "$fds" >> "$S/pipes"
            seq=$(cat "$S/seq" 2>/dev/null || echo 0)
            seq=$((seq+1))
            echo "$seq" > "$S/seq"
            printf '%s' "$stdin" > "$S/$seq.$N.$CNI_COMMAND.stdin"
            env > "$S/$seq.$N.$CNI_COMMAND.env"
            echo "$N $CNI_COMMAND $CNI_CONTAINERID" >> "$S/log"
            if [ "$CNI_COMMAND" = VERSION ]; then
              echo '{"cniVersion":"1.0.0","supportedVersions":[{{supported}}]}'
              exit 0
            fi
            mode=$(cat "$S/$N.$CNI_COMMAND.mode" 2>/dev/null || echo ok)
            case "$mode" in
              error) cat "$S/$N.$CNI_COMMAND.error"; exit 1 ;;
              stderr) echo "something broke: no such thing" >&2; exit 2 ;;
              empty) exit 0 ;;
              hang)
                echo $$ > "$S/$N.pid"
                sleep 60 &
                echo $! > "$S/$N.child"
                wait
                exit 0 ;;
            esac
            if [ "$CNI_COMMAND" = ADD ]; then cat "$S/$N.result"; fi
            exit 0

            """;
        var path = Path.Combine(PluginDir, name);
        File.WriteAllText(path, script.Replace("\r\n", "\n"));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
    }

    /// <summary>Makes <paramref name="name"/> behave as <paramref name="mode"/> on <paramref name="command"/>.</summary>
    public void SetMode(string name, string command, string mode, string? errorJson = null)
    {
        File.WriteAllText(Path.Combine(StateDir, $"{name}.{command}.mode"), mode);
        if (errorJson is not null) File.WriteAllText(Path.Combine(StateDir, $"{name}.{command}.error"), errorJson);
    }

    /// <summary>The calls so far, "name COMMAND containerId", in order.</summary>
    public List<string> Log()
    {
        var path = Path.Combine(StateDir, "log");
        return File.Exists(path) ? File.ReadAllLines(path).Select(l => l.TrimEnd()).ToList() : [];
    }

    /// <summary>The calls other than VERSION.</summary>
    public List<string> Calls() => Log().Where(l => !l.Contains(" VERSION", StringComparison.Ordinal)).ToList();

    /// <summary>The pipes ("pipe:[INODE]") every call so far had as its stdin, stdout and stderr.</summary>
    public HashSet<string> Pipes()
    {
        var path = Path.Combine(StateDir, "pipes");
        return File.Exists(path) ? File.ReadAllLines(path).Where(l => l.StartsWith("pipe:", StringComparison.Ordinal)).ToHashSet() : [];
    }

    /// <summary>The stdin of the last call of <paramref name="name"/> with <paramref name="command"/>.</summary>
    public JsonObject Stdin(string name, string command) => JsonNode.Parse(File.ReadAllText(Last(name, command, "stdin")))!.AsObject();

    /// <summary>The environment of the last such call.</summary>
    public Dictionary<string, string> Env(string name, string command) =>
        File.ReadAllLines(Last(name, command, "env")).Where(l => l.Contains('=')).Select(l => l.Split('=', 2))
            .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1]);

    private string Last(string name, string command, string what)
    {
        var suffix = $".{name}.{command}.{what}";
        var files = Directory.GetFiles(StateDir, "*" + suffix)
            .Select(f => (Seq: int.Parse(Path.GetFileName(f)[..^suffix.Length]), Path: f)).OrderBy(x => x.Seq).ToList();
        Assert.True(files.Count > 0, $"no {command} call of {name}");
        return files[^1].Path;
    }

    public CniRuntimeOptions Options(TimeSpan? timeout = null) => new()
    {
        PluginDirectories = [PluginDir],
        CacheDirectory = CacheDir,
        PluginTimeout = timeout ?? TimeSpan.FromSeconds(20),
        ExtraEnvironment = new Dictionary<string, string> { ["CARTON_TEST_EXTRA"] = "yes", ["CNI_COMMAND"] = "NOT-THIS" },
    };

    public static CniConfigList List(string name, params string[] plugins) => ListV(name, "1.0.0", plugins);

    public static CniConfigList ListV(string name, string version, params string[] plugins) =>
        CniConfigList.Parse(
            $$"""{"cniVersion":"{{version}}","name":"{{name}}","plugins":[{{string.Join(",", plugins.Select(p => p.StartsWith('{') ? p : $$"""{"type":"{{p}}"}"""))}}]}""",
            $"network {name}");

    public static CniRuntimeConfig Rt(string containerId = "c1", string ifName = "eth0") =>
        new() { ContainerId = containerId, NetnsPath = "/run/netns/" + containerId, IfName = ifName };

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
