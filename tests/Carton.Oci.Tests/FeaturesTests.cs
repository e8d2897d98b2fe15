using System.Text.Json;
using System.Text.Json.Nodes;

namespace Carton.Oci.Tests;

public class FeaturesTests
{
    private static JsonNode Doc() =>
        JsonNode.Parse(JsonSerializer.Serialize(RuntimeFeatures.Create("0.1.0"), OciJsonContext.Default.Features))!;

    private static string[] Strings(JsonNode? n) => n!.AsArray().Select(x => x!.GetValue<string>()).ToArray();

    [Fact]
    public void Versions_And_Hooks()
    {
        var d = Doc();
        Assert.Equal("1.0.0", d["ociVersionMin"]!.GetValue<string>());
        Assert.Equal("1.3.0", d["ociVersionMax"]!.GetValue<string>());
        Assert.Equal(["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"], Strings(d["hooks"]));
        Assert.Equal("0.1.0", d["annotations"]!["io.github.carton.version"]!.GetValue<string>());
    }

    [Fact]
    public void MountOptions_CoverEverythingTheParserKnows()
    {
        var opts = Strings(Doc()["mountOptions"]);
        string[] required =
        [
            "ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec", "exec", "sync", "async", "dirsync", "remount",
            "mand", "nomand", "atime", "noatime", "diratime", "nodiratime", "bind", "rbind", "relatime", "norelatime",
            "strictatime", "nostrictatime", "lazytime", "nolazytime", "silent", "loud", "iversion", "noiversion",
            "nosymfollow", "symfollow", "private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable",
            "runbindable", "rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec", "rnoatime", "ratime",
            "rrelatime", "rnorelatime", "rstrictatime", "rnostrictatime", "rnodiratime", "rdiratime", "rnosymfollow",
            "rsymfollow", "tmpcopyup", "idmap", "ridmap",
        ];
        foreach (var r in required) Assert.Contains(r, opts);
        Assert.All(opts, o => Assert.True(MountOptionParser.IsKnown(o), o));
        Assert.Equal(opts.Order(StringComparer.Ordinal), opts);
    }

    [Fact]
    public void Linux_Section()
    {
        var l = Doc()["linux"]!;
        Assert.Equal(["cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"], Strings(l["namespaces"]));
        var caps = Strings(l["capabilities"]);
        Assert.Equal(41, caps.Length);
        Assert.Equal("CAP_CHOWN", caps[0]);
        Assert.Equal("CAP_CHECKPOINT_RESTORE", caps[40]);
        Assert.True(l["cgroup"]!["v1"]!.GetValue<bool>());
        Assert.True(l["cgroup"]!["v2"]!.GetValue<bool>());
        Assert.False(l["cgroup"]!["systemd"]!.GetValue<bool>());
        Assert.False(l["cgroup"]!["systemdUser"]!.GetValue<bool>());
        Assert.False(l["seccomp"]!["enabled"]!.GetValue<bool>());
        Assert.False(l["apparmor"]!["enabled"]!.GetValue<bool>());
        Assert.False(l["selinux"]!["enabled"]!.GetValue<bool>());
        Assert.False(l["mountExtensions"]!["idmap"]!["enabled"]!.GetValue<bool>());
    }
}
