using System.Text.Json;

namespace Carton.Docker.Tests;

/// <summary>
/// Docker volumes through the real docker CLIs (Debian's 20.10, API 1.41, and 28.2, API 1.50): `docker volume
/// create/ls/inspect/rm/prune`, `run -v NAME:/path`, `--mount type=volume`, anonymous volumes, the local driver's tmpfs
/// and bind options, and bad input. Volumes live under the fixture's image root (images/volumes/NAME/_data). Each test
/// names its volumes with a random suffix and removes them in finally; the base class checks that no mount is left.
/// </summary>
[Collection("docker")]
public sealed class DockerVolumeCliTests(DockerFixture fixture) : DockerCliTestBase(fixture)
{
    private string VolumeDir(string name) => Path.Combine(fx.ImageRoot, "volumes", name);

    private void RemoveVolumes(params string[] names)
    {
        foreach (var n in names) fx.Docker(Debian, "volume", "rm", "-f", n);
    }

    /// <summary>The names `docker volume ls` lists (filtered here, not by the daemon).</summary>
    private string[] VolumeNames(string cli) => Ok(cli, "volume", "ls", "--format", "{{.Name}}").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [DockerTheory, CliData(Debian), CliData(New)]
    public void Create_Ls_Inspect_Rm(string cli)
    {
        var name = Unique("vol");
        var label = Unique("lbl");
        try
        {
            Assert.Equal(name + "\n", Ok(cli, "volume", "create", "--label", $"{label}=yes", name));
            Assert.True(Directory.Exists(Path.Combine(VolumeDir(name), "_data")), "the volume's _data directory");
            Assert.Contains(name, VolumeNames(cli));
            Assert.Equal(name + "\n", Ok(cli, "volume", "ls", "-q", "--filter", $"label={label}=yes"));
            Assert.Equal("", Ok(cli, "volume", "ls", "-q", "--filter", $"label={label}=no"));
            Assert.Equal(name + "\n", Ok(cli, "volume", "ls", "-q", "--filter", $"label={label}", "--filter", "dangling=true", "--filter", "driver=local"));

            using var doc = JsonDocument.Parse(Ok(cli, "volume", "inspect", name));
            var v = doc.RootElement[0];
            Assert.Equal(name, v.GetProperty("Name").GetString());
            Assert.Equal("local", v.GetProperty("Driver").GetString());
            Assert.Equal("local", v.GetProperty("Scope").GetString());
            Assert.Equal(Path.Combine(VolumeDir(name), "_data"), v.GetProperty("Mountpoint").GetString());
            Assert.Equal("yes", v.GetProperty("Labels").GetProperty(label).GetString());
            Assert.True(DateTimeOffset.TryParse(v.GetProperty("CreatedAt").GetString(), out var created) && created > DateTimeOffset.UtcNow.AddMinutes(-5), "CreatedAt");

            // create is idempotent: the existing volume (its labels kept), no error
            Assert.Equal(name + "\n", Ok(cli, "volume", "create", name));
            Assert.Equal("yes", Ok(cli, "volume", "inspect", "--format", $"{{{{index .Labels \"{label}\"}}}}", name).Trim());

            Assert.Equal(name + "\n", Ok(cli, "volume", "rm", name));
            Assert.DoesNotContain(name, VolumeNames(cli));
            Assert.False(Directory.Exists(VolumeDir(name)), "the volume's directory after rm");
            var again = fx.Docker(cli, "volume", "inspect", name);
            Assert.NotEqual(0, again.Exit);
            Assert.Contains("no such volume", again.Err, StringComparison.OrdinalIgnoreCase);
            var rm = fx.Docker(cli, "volume", "rm", name);
            Assert.NotEqual(0, rm.Exit);
            Assert.Equal(0, fx.Docker(cli, "volume", "rm", "-f", name).Exit); // force: a missing one is no error
        }
        finally
        {
            RemoveVolumes(name);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void NamedVolume_OutlivesTheContainer_AndIsMadeByRun(string cli)
    {
        var image = Image();
        var name = Unique("data");
        var writer = Unique("writer");
        try
        {
            // -v NAME:/path makes the volume when there is none
            Ok(cli, "run", "--name", writer, "--network", "none", "-v", $"{name}:/data", image, "sh", "-c", "echo kept > /data/f");
            Assert.Equal("kept\n", File.ReadAllText(Path.Combine(VolumeDir(name), "_data", "f")));

            var mounts = Ok(cli, "inspect", "--format", "{{range .Mounts}}{{.Type}} {{.Name}} {{.Source}} {{.Destination}} {{.Driver}} {{.RW}}{{end}}", writer).Trim();
            Assert.Equal($"volume {name} {Path.Combine(VolumeDir(name), "_data")} /data local true", mounts);

            Ok(cli, "rm", "-v", writer); // -v removes anonymous volumes only: a named one stays
            Assert.Contains(name, VolumeNames(cli));
            Assert.Equal("kept\n", Ok(cli, "run", "--rm", "--network", "none", "-v", $"{name}:/data:ro", image, "cat", "/data/f"));
            var ro = fx.Docker(cli, "run", "--rm", "--network", "none", "-v", $"{name}:/data:ro", image, "sh", "-c", "echo x > /data/g");
            Assert.NotEqual(0, ro.Exit);
        }
        finally
        {
            Remove(writer);
            RemoveVolumes(name);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void VolumeInUse_CannotBeRemoved_EvenWithForce(string cli)
    {
        var image = Image();
        var name = Unique("busy");
        var holder = Unique("holder");
        try
        {
            Ok(cli, "volume", "create", name);
            var id = Ok(cli, "create", "--name", holder, "--network", "none", "-v", $"{name}:/data", image, "true").Trim();
            var rm = fx.Docker(cli, "volume", "rm", name);
            Assert.NotEqual(0, rm.Exit);
            Assert.Contains($"volume is in use - [{id}]", rm.Err, StringComparison.Ordinal);
            var force = fx.Docker(cli, "volume", "rm", "-f", name);
            Assert.NotEqual(0, force.Exit);
            Assert.Contains("volume is in use", force.Err, StringComparison.Ordinal);
            Assert.Contains(name, Ok(cli, "volume", "ls", "-q", "--filter", "dangling=false").Split('\n'));
            Assert.DoesNotContain(name, Ok(cli, "volume", "ls", "-q", "--filter", "dangling=true").Split('\n'));
            Assert.True(Directory.Exists(VolumeDir(name)));

            Ok(cli, "rm", holder);
            Assert.Equal(name + "\n", Ok(cli, "volume", "rm", name));
        }
        finally
        {
            Remove(holder);
            RemoveVolumes(name);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void AnonymousVolumes_GoWithRmV_AndRunRm(string cli)
    {
        var image = Image();
        var keep = Unique("anon-keep");
        var drop = Unique("anon-drop");
        string? kept = null;
        try
        {
            var before = VolumeNames(cli);
            // --rm: the anonymous volume of -v /data goes with the container (dockerd removes them on auto-remove)
            Assert.Equal("ok\n", Ok(cli, "run", "--rm", "--network", "none", "-v", "/data", image, "sh", "-c", "touch /data/x && echo ok"));
            Eventually(() => VolumeNames(cli).Order().SequenceEqual(before.Order()), "the --rm container's anonymous volume removed");

            // rm without -v keeps it (and it is a 64-hex name, like dockerd's); rm -v removes it
            Ok(cli, "create", "--name", keep, "--network", "none", "-v", "/data", image, "true");
            kept = Ok(cli, "inspect", "--format", "{{range .Mounts}}{{.Name}}{{end}}", keep).Trim();
            Assert.Matches("^[0-9a-f]{64}$", kept);
            Assert.Contains("\"com.docker.volume.anonymous\":\"\"", Ok(cli, "volume", "inspect", "--format", "{{json .Labels}}", kept));
            Ok(cli, "rm", keep);
            Assert.Contains(kept, VolumeNames(cli));

            Ok(cli, "create", "--name", drop, "--network", "none", "--mount", "type=volume,target=/data", image, "true");
            var dropped = Ok(cli, "inspect", "--format", "{{range .Mounts}}{{.Name}}{{end}}", drop).Trim();
            Assert.Contains(dropped, VolumeNames(cli));
            Ok(cli, "rm", "-v", drop);
            Assert.DoesNotContain(dropped, VolumeNames(cli));
            Assert.False(Directory.Exists(VolumeDir(dropped)));
        }
        finally
        {
            Remove(keep, drop);
            if (kept is not null) RemoveVolumes(kept);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void MountTypeVolume_NamedAndReadOnly_WithLabels(string cli)
    {
        var image = Image();
        var name = Unique("mnt");
        var label = Unique("ml");
        try
        {
            Ok(cli, "run", "--rm", "--network", "none", "--mount", $"type=volume,source={name},target=/v,volume-label={label}=1", image, "sh", "-c", "echo m > /v/f");
            Assert.Equal("1", Ok(cli, "volume", "inspect", "--format", $"{{{{index .Labels \"{label}\"}}}}", name).Trim());
            Assert.Equal("m\n", Ok(cli, "run", "--rm", "--network", "none", "--mount", $"type=volume,source={name},target=/v,readonly", image, "cat", "/v/f"));
            var ro = fx.Docker(cli, "run", "--rm", "--network", "none", "--mount", $"type=volume,source={name},target=/v,readonly", image, "touch", "/v/g");
            Assert.NotEqual(0, ro.Exit);
        }
        finally
        {
            RemoveVolumes(name);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void CopyUp_FillsAnEmptyVolumeFromTheImage_UnlessNocopy(string cli)
    {
        var image = Image();
        var copied = Unique("copy");
        var nocopy = Unique("nocopy");
        try
        {
            // busybox's /etc holds passwd and group: a new volume over it gets them (dockerd's copy-up)
            Assert.Contains("root:x:0:0", Ok(cli, "run", "--rm", "--network", "none", "-v", $"{copied}:/etc", image, "cat", "/etc/passwd"));
            Assert.True(File.Exists(Path.Combine(VolumeDir(copied), "_data", "passwd")), "passwd copied into the volume");
            // a volume that is no longer empty is not filled again: a file removed stays removed
            Ok(cli, "run", "--rm", "--network", "none", "-v", $"{copied}:/etc", image, "rm", "/etc/group");
            Assert.NotEqual(0, fx.Docker(cli, "run", "--rm", "--network", "none", "-v", $"{copied}:/etc", image, "cat", "/etc/group").Exit);

            Assert.Equal("", Ok(cli, "run", "--rm", "--network", "none", "-v", $"{nocopy}:/etc:nocopy", image, "ls", "/etc"));
            Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(VolumeDir(nocopy), "_data")));
        }
        finally
        {
            RemoveVolumes(copied, nocopy);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void TmpfsVolume_IsMountedWhileUsed_AndSharedBetweenContainers(string cli)
    {
        var image = Image();
        var name = Unique("tmpfs");
        var a = Unique("ta");
        try
        {
            Ok(cli, "volume", "create", "--opt", "type=tmpfs", "--opt", "device=tmpfs", "--opt", "o=size=1m", name);
            Assert.Equal("map[device:tmpfs o:size=1m type:tmpfs]", Ok(cli, "volume", "inspect", "--format", "{{.Options}}", name).Trim());
            var data = Path.Combine(VolumeDir(name), "_data");
            Assert.False(IsMountPoint(data), "not mounted before a container uses it");

            Ok(cli, "run", "-d", "--name", a, "--network", "none", "-v", $"{name}:/t", image, "sh", "-c", "echo shared > /t/f; sleep 600");
            Assert.True(IsMountPoint(data), "mounted while a container uses it");
            // the same tmpfs in a second container; its size is the option's (1 MiB: 1024 1K-blocks)
            Eventually(() => fx.Docker(cli, "exec", a, "cat", "/t/f").Out == "shared\n", "the first container's write");
            Assert.Equal("shared\n", Ok(cli, "run", "--rm", "--network", "none", "-v", $"{name}:/t", image, "cat", "/t/f"));
            var df = Ok(cli, "exec", a, "df", "-k", "/t");
            Assert.Contains("tmpfs", df, StringComparison.Ordinal);
            Assert.Contains(" 1024 ", df, StringComparison.Ordinal);
            Assert.NotEqual(0, fx.Docker(cli, "volume", "rm", name).Exit);

            Ok(cli, "rm", "-f", a);
            Assert.False(IsMountPoint(data), "unmounted when no container uses it");
            Ok(cli, "volume", "rm", name);
        }
        finally
        {
            Remove(a);
            RemoveVolumes(name);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void BindVolume_WritesToItsDevice(string cli)
    {
        var image = Image();
        var name = Unique("bindvol");
        var device = Path.Combine(fx.Dir, Unique("device"));
        Directory.CreateDirectory(device);
        try
        {
            Ok(cli, "volume", "create", "--opt", "type=none", "--opt", "o=bind", "--opt", $"device={device}", name);
            Ok(cli, "run", "--rm", "--network", "none", "-v", $"{name}:/b", image, "sh", "-c", "echo through > /b/f");
            Assert.Equal("through\n", File.ReadAllText(Path.Combine(device, "f")));
            Assert.False(IsMountPoint(Path.Combine(VolumeDir(name), "_data")), "unmounted when no container uses it");
            Ok(cli, "volume", "rm", name);
            Assert.True(File.Exists(Path.Combine(device, "f")), "removing the volume leaves its device's files");
        }
        finally
        {
            RemoveVolumes(name);
            Directory.Delete(device, recursive: true);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void Prune_AnonymousOnlyFromApi142_UnlessAll(string cli)
    {
        var image = Image();
        var label = Unique("prune");
        var named = Unique("pnamed");
        var holder = Unique("pholder");
        string? anonymous = null;
        try
        {
            Ok(cli, "volume", "create", "--label", label, named);
            Ok(cli, "create", "--name", holder, "--network", "none", "--mount", $"type=volume,target=/x,volume-label={label}", image, "true");
            anonymous = Ok(cli, "inspect", "--format", "{{range .Mounts}}{{.Name}}{{end}}", holder).Trim();
            // the anonymous one is in use: not pruned
            var first = Ok(cli, "volume", "prune", "-f", "--filter", $"label={label}");
            Assert.DoesNotContain(anonymous, first);
            Assert.Contains(anonymous, VolumeNames(cli));
            if (cli == Debian)
            {
                // API 1.41: every unused volume, named ones too
                Assert.Contains(named, first);
                Assert.DoesNotContain(named, VolumeNames(cli));
            }
            else
            {
                // API 1.50: anonymous ones only, unless --all
                Assert.DoesNotContain(named, first);
                Assert.Contains(named, VolumeNames(cli));
            }
            Ok(cli, "rm", holder);

            var pruned = Ok(cli, "volume", "prune", "-f", "--filter", $"label={label}");
            Assert.Contains(anonymous, pruned);
            Assert.DoesNotContain(anonymous, VolumeNames(cli));
            if (cli == New)
            {
                Assert.Contains(named, VolumeNames(cli));
                Assert.Contains(named, Ok(cli, "volume", "prune", "-f", "--all", "--filter", $"label={label}"));
                Assert.DoesNotContain(named, VolumeNames(cli));
            }
        }
        finally
        {
            Remove(holder);
            RemoveVolumes(named);
            if (anonymous is not null) RemoveVolumes(anonymous);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void BadInput_Is400NamingTheField_AndLeavesNothing(string cli)
    {
        var image = Image();
        var volumesBefore = VolumeNames(cli);
        var dirsBefore = Directory.Exists(Path.Combine(fx.ImageRoot, "volumes")) ? Directory.GetFileSystemEntries(Path.Combine(fx.ImageRoot, "volumes")).Order().ToList() : [];
        var missing = Path.Combine(fx.Dir, Unique("no-such-dir"));
        var cases = new (string[] Args, string Message)[]
        {
            (["volume", "create", "b@d"], "invalid Name: \"b@d\" includes invalid characters"),
            (["volume", "create", "x"], "invalid Name: volume name is too short"),
            (["volume", "create", "-d", "nfs", Unique("drv")], "invalid Driver: volume driver \"nfs\" is not supported"),
            (["volume", "create", "--opt", "type=none", "--opt", "o=bind", "--opt", $"device={missing}", Unique("nodev")], "invalid DriverOpts.device"),
            (["volume", "create", "--opt", "type=tmpfs", Unique("half")], "invalid DriverOpts.device: missing required option: \"device\""),
            (["volume", "create", "--opt", "color=red", Unique("opt")], "invalid DriverOpts.color: invalid option"),
            (["volume", "create", "--opt", "type=ext4", "--opt", "device=/dev/null", Unique("ext4")], "invalid DriverOpts.type"),
            (["run", "--rm", "--network", "none", "-v", "-bad:/x", image, "true"], "includes invalid characters"),
            (["run", "--rm", "--network", "none", "--mount", "type=volume,source=" + Unique("m") + ",target=/x,volume-driver=nfs", image, "true"],
                "invalid HostConfig.Mounts[0].VolumeOptions.DriverConfig.Name"),
            // a valid new volume, then a refused mount later in the same create: the volume it made goes too
            (["run", "--rm", "--network", "none", "-v", Unique("rolled") + ":/x", "--mount", "type=volume,source=b@d,target=/y", image, "true"],
                "invalid HostConfig.Mounts[0].Source"),
        };
        foreach (var (args, message) in cases)
        {
            var r = fx.Docker(cli, args);
            Assert.True(r.Exit != 0, $"docker {string.Join(' ', args)} succeeded");
            Assert.Contains(message, r.Err, StringComparison.Ordinal);
            Assert.Equal(volumesBefore.Order(), VolumeNames(cli).Order());
            var dirs = Directory.Exists(Path.Combine(fx.ImageRoot, "volumes")) ? Directory.GetFileSystemEntries(Path.Combine(fx.ImageRoot, "volumes")).Order().ToList() : [];
            Assert.Equal(dirsBefore, dirs);
        }
        Assert.False(Directory.Exists(missing));
    }

    private static bool IsMountPoint(string path) =>
        File.ReadAllLines("/proc/self/mountinfo").Any(l => l.Split(' ')[4] == path);
}
