using Carton.Images.Model;
using Carton.Images.Spec;

namespace Carton.Images.Tests.Spec;

public sealed class ImageSpecTests
{
    private const string Passwd = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n";
    private const string Group = "root:x:0:\napp:x:1000:\nwheel:x:10:app,other\naudio:x:29:app\nnogroup:x:65534:\n";

    private static ImageConfigFile Image(ContainerConfig config) => new() { Os = "linux", Architecture = "amd64", Config = config };

    private static ImageSpecOptions WithFiles(ImageSpecOptions? o = null) => new()
    {
        Command = o?.Command, Entrypoint = o?.Entrypoint, Env = o?.Env, User = o?.User, WorkingDir = o?.WorkingDir, Terminal = o?.Terminal ?? false,
        ReadRootfsFile = p => p switch { "/etc/passwd" => Passwd, "/etc/group" => Group, _ => null },
    };

    [Fact]
    public void EntrypointAndCmd_AreConcatenated_AndOverriddenAsDockerDoes()
    {
        var image = Image(new ContainerConfig { Entrypoint = ["/bin/app", "--serve"], Cmd = ["--port", "80"] });
        Assert.Equal(["/bin/app", "--serve", "--port", "80"], ImageSpec.Build(image, WithFiles()).Spec.Process!.Args!);
        Assert.Equal(["/bin/app", "--serve", "-v"], ImageSpec.Build(image, WithFiles(new() { Command = ["-v"] })).Spec.Process!.Args!);
        Assert.Equal(["/bin/sh"], ImageSpec.Build(image, WithFiles(new() { Entrypoint = ["/bin/sh"] })).Spec.Process!.Args!);
        Assert.Equal(["/bin/sh", "-c", "x"], ImageSpec.Build(image, WithFiles(new() { Entrypoint = ["/bin/sh"], Command = ["-c", "x"] })).Spec.Process!.Args!);
    }

    [Fact]
    public void NoCommandAnywhere_IsAnErrorNamingTheFields()
    {
        var e = Assert.Throws<CartonException>(() => ImageSpec.Build(Image(new ContainerConfig()), WithFiles()));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Contains("config.Entrypoint and config.Cmd", e.Message, StringComparison.Ordinal);
        var (spec, warnings) = ImageSpec.Build(Image(new ContainerConfig()), new ImageSpecOptions { AllowNoCommand = true });
        Assert.Empty(spec.Process!.Args!);
        Assert.Contains(warnings, w => w.Contains("names no command", StringComparison.Ordinal));
    }

    [Fact]
    public void Env_IsMergedByKey_ImageOverDefaults_CallerOverImage()
    {
        var image = Image(new ContainerConfig { Cmd = ["x"], Env = ["PATH=/opt/bin", "A=1", "B=2"] });
        var env = ImageSpec.Build(image, WithFiles(new() { Env = ["B=3", "C=4"] })).Spec.Process!.Env!;
        Assert.Equal(["PATH=/opt/bin", "A=1", "B=3", "C=4"], env);
        Assert.DoesNotContain("TERM=xterm", env);
        Assert.Contains("TERM=xterm", ImageSpec.Build(image, WithFiles(new() { Terminal = true })).Spec.Process!.Env!);
        var bad = Assert.Throws<CartonException>(() => ImageSpec.Build(Image(new ContainerConfig { Cmd = ["x"], Env = ["NOEQUALS"] }), WithFiles()));
        Assert.Contains("config.Env[0]", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WorkingDir_DefaultsToRoot_AndMustBeAbsolute()
    {
        Assert.Equal("/", ImageSpec.Build(Image(new ContainerConfig { Cmd = ["x"] }), WithFiles()).Spec.Process!.Cwd);
        Assert.Equal("/srv", ImageSpec.Build(Image(new ContainerConfig { Cmd = ["x"], WorkingDir = "/srv" }), WithFiles()).Spec.Process!.Cwd);
        var e = Assert.Throws<CartonException>(() => ImageSpec.Build(Image(new ContainerConfig { Cmd = ["x"], WorkingDir = "srv" }), WithFiles()));
        Assert.Equal("config.WorkingDir", e.JsonPath);
    }

    [Theory]
    [InlineData("app", 1000u, 1000u, new uint[] { 10, 29 })]
    [InlineData("1000", 1000u, 1000u, new uint[] { 10, 29 })]
    [InlineData("app:wheel", 1000u, 10u, new uint[0])]
    [InlineData("app:7", 1000u, 7u, new uint[0])]
    [InlineData("4242", 4242u, 0u, new uint[0])]
    [InlineData("4242:4343", 4242u, 4343u, new uint[0])]
    [InlineData("nobody:nogroup", 65534u, 65534u, new uint[0])]
    public void User_IsResolvedThroughTheImagesPasswdAndGroup(string user, uint uid, uint gid, uint[] additional)
    {
        var u = ImageSpec.Build(Image(new ContainerConfig { Cmd = ["x"], User = user }), WithFiles()).Spec.Process!.User!;
        Assert.Equal(uid, u.Uid);
        Assert.Equal(gid, u.Gid);
        Assert.Equal(additional, (IEnumerable<uint>?)u.AdditionalGids ?? []);
    }

    [Theory]
    [InlineData("ghost", "no user \"ghost\"")]
    [InlineData("app:ghosts", "no group \"ghosts\"")]
    public void UnknownNames_AreErrorsQuotingTheUser(string user, string why)
    {
        var e = Assert.Throws<CartonException>(() => ImageSpec.Build(Image(new ContainerConfig { Cmd = ["x"], User = user }), WithFiles()));
        Assert.Contains($"config.User: \"{user}\"", e.Message, StringComparison.Ordinal);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANameWithoutPasswd_IsAnError_ANumberIsNot()
    {
        var none = new ImageSpecOptions { ReadRootfsFile = _ => null };
        Assert.Throws<CartonException>(() => ImageSpec.Build(Image(new ContainerConfig { Cmd = ["x"], User = "app" }), none));
        Assert.Equal(33u, ImageSpec.Build(Image(new ContainerConfig { Cmd = ["x"], User = "33" }), none).Spec.Process!.User!.Uid);
    }

    [Fact]
    public void LabelsPortsStopSignalAndVolumes_BecomeAnnotations()
    {
        var image = Image(new ContainerConfig
        {
            Cmd = ["x"],
            Labels = new() { ["maintainer"] = "me", ["org.opencontainers.image.os"] = "not-this" },
            ExposedPorts = new() { ["80/tcp"] = new(), ["53/udp"] = new() },
            StopSignal = "SIGQUIT",
            Volumes = new() { ["/data"] = new() },
        });
        var (spec, warnings) = ImageSpec.Build(image, WithFiles());
        var a = spec.Annotations!;
        Assert.Equal("me", a["maintainer"]);
        Assert.Equal("linux", a["org.opencontainers.image.os"]);
        Assert.Equal("amd64", a["org.opencontainers.image.architecture"]);
        Assert.Equal("53/udp,80/tcp", a["org.opencontainers.image.exposedPorts"]);
        Assert.Equal("SIGQUIT", a["org.opencontainers.image.stopSignal"]);
        Assert.Equal("/data", a["org.opencontainers.image.volumes"]);
        Assert.Contains(warnings, w => w.Contains("/data", StringComparison.Ordinal));
        Assert.Equal("rootfs", spec.Root!.Path);
        Assert.False(spec.Process!.Terminal);
    }
}
