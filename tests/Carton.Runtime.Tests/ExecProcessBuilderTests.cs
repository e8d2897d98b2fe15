using Carton.Oci;

namespace Carton.Runtime.Tests;

public sealed class ExecProcessBuilderTests
{
    private static Spec Container() => new()
    {
        Process = new Oci.Process
        {
            Args = ["/bin/sleep", "100"], Env = ["PATH=/bin", "A=1"], Cwd = "/", Terminal = false,
            User = new User { Uid = 5, Gid = 6, AdditionalGids = [7] },
            Capabilities = new LinuxCapabilities { Bounding = ["CAP_KILL"], Effective = ["CAP_KILL"], Permitted = ["CAP_KILL"] },
            Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Hard = 10, Soft = 10 }],
        },
    };

    [Fact]
    public void FlagsOverrideTheContainersProcess()
    {
        var p = ExecProcessBuilder.Build(Container(), new ExecRequest
        {
            Args = ["sh", "-c", "x"], Tty = true, Env = ["A=2", "B=3"], Cwd = "/tmp", User = "1000:1001", AdditionalGids = ["10", "20"],
            NoNewPrivs = true,
        });
        Assert.Equal(["sh", "-c", "x"], p.Args);
        Assert.True(p.Terminal);
        Assert.Equal(["PATH=/bin", "A=2", "B=3"], p.Env);
        Assert.Equal("/tmp", p.Cwd);
        Assert.Equal(1000u, p.User!.Uid);
        Assert.Equal(1001u, p.User.Gid);
        Assert.Equal([10u, 20u], p.User.AdditionalGids);
        Assert.True(p.NoNewPrivileges);
        Assert.Equal("RLIMIT_NOFILE", Assert.Single(p.Rlimits!).Type); // inherited from the container
    }

    [Fact]
    public void UserWithoutGidKeepsTheContainersGid()
    {
        var p = ExecProcessBuilder.Build(Container(), new ExecRequest { Args = ["id"], User = "42" });
        Assert.Equal(42u, p.User!.Uid);
        Assert.Equal(6u, p.User.Gid);
    }

    [Fact]
    public void CapNeverReachesTheInheritableSet_Cve2022_29162()
    {
        var p = ExecProcessBuilder.Build(Container(), new ExecRequest { Args = ["id"], Caps = ["CAP_NET_ADMIN"] });
        Assert.Contains("CAP_NET_ADMIN", p.Capabilities!.Bounding!);
        Assert.Contains("CAP_NET_ADMIN", p.Capabilities.Effective!);
        Assert.Contains("CAP_NET_ADMIN", p.Capabilities.Permitted!);
        Assert.True(p.Capabilities.Inheritable is null or { Count: 0 });
        Assert.True(p.Capabilities.Ambient is null or { Count: 0 }); // ambient needs inheritable: only when the container has some
    }

    [Fact]
    public void CapGoesToAmbientOnlyWhenTheContainerHasInheritableCapabilities()
    {
        var spec = Container();
        spec.Process!.Capabilities!.Inheritable = ["CAP_KILL"];
        var p = ExecProcessBuilder.Build(spec, new ExecRequest { Args = ["id"], Caps = ["CAP_NET_ADMIN"] });
        Assert.Equal(["CAP_KILL"], p.Capabilities!.Inheritable);
        Assert.Contains("CAP_NET_ADMIN", p.Capabilities.Ambient!);
    }

    [Fact]
    public void TheContainersSpecIsNotModified()
    {
        var spec = Container();
        ExecProcessBuilder.Build(spec, new ExecRequest { Args = ["id"], Caps = ["CAP_NET_ADMIN"], Env = ["A=9"] });
        Assert.Equal(["CAP_KILL"], spec.Process!.Capabilities!.Bounding);
        Assert.Equal(["PATH=/bin", "A=1"], spec.Process.Env);
    }

    [Theory]
    [InlineData("--user", "abc", "invalid id")]
    [InlineData("--user", "1:2:3", "must be uid[:gid]")]
    [InlineData("--user", "-1", "invalid id")]
    [InlineData("--cwd", "relative", "must be an absolute path")]
    [InlineData("--env", "NOEQUALS", "KEY=value")]
    [InlineData("--cap", "CAP_FOO", "unknown capability")]
    public void BadFlagsNameTheFlag(string flag, string value, string expected)
    {
        var req = flag switch
        {
            "--user" => new ExecRequest { Args = ["id"], User = value },
            "--cwd" => new ExecRequest { Args = ["id"], Cwd = value },
            "--env" => new ExecRequest { Args = ["id"], Env = [value] },
            _ => new ExecRequest { Args = ["id"], Caps = [value] },
        };
        var e = Assert.Throws<RuntimeError>(() => ExecProcessBuilder.Build(Container(), req));
        Assert.Contains(flag, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ACommandIsRequired()
    {
        Assert.Contains("a command is required", Assert.Throws<RuntimeError>(() => ExecProcessBuilder.Build(Container(), new ExecRequest())).Message);
    }
}
