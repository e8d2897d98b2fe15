namespace Carton.Oci.Tests;

public class KnownTablesTests
{
    [Theory]
    [InlineData("CAP_CHOWN", 0)]
    [InlineData("CAP_NET_BIND_SERVICE", 10)]
    [InlineData("CAP_SYS_ADMIN", 21)]
    [InlineData("CAP_AUDIT_READ", 37)]
    [InlineData("CAP_PERFMON", 38)]
    [InlineData("CAP_BPF", 39)]
    [InlineData("CAP_CHECKPOINT_RESTORE", 40)]
    public void Capabilities(string name, int number)
    {
        Assert.True(KnownCapabilities.TryGetNumber(name, out var n));
        Assert.Equal(number, n);
        Assert.Equal(name, KnownCapabilities.GetName(number));
    }

    [Fact]
    public void Capabilities_UnknownAndCase()
    {
        Assert.False(KnownCapabilities.IsKnown("cap_chown"));
        Assert.False(KnownCapabilities.IsKnown("CHOWN"));
        Assert.Null(KnownCapabilities.GetName(41));
    }

    [Theory]
    [InlineData("RLIMIT_CPU", 0)]
    [InlineData("RLIMIT_NPROC", 6)]
    [InlineData("RLIMIT_NOFILE", 7)]
    [InlineData("RLIMIT_AS", 9)]
    [InlineData("RLIMIT_RTTIME", 15)]
    public void Rlimits(string name, int resource)
    {
        Assert.True(KnownRlimits.TryGetResource(name, out var r));
        Assert.Equal(resource, r);
        Assert.Equal(16, KnownRlimits.All.Count);
    }

    [Theory]
    [InlineData("pid", 0x20000000ul, "pid")]
    [InlineData("network", 0x40000000ul, "net")]
    [InlineData("mount", 0x00020000ul, "mnt")]
    [InlineData("ipc", 0x08000000ul, "ipc")]
    [InlineData("uts", 0x04000000ul, "uts")]
    [InlineData("user", 0x10000000ul, "user")]
    [InlineData("cgroup", 0x02000000ul, "cgroup")]
    [InlineData("time", 0x00000080ul, "time")]
    public void Namespaces(string type, ulong flag, string proc)
    {
        Assert.Equal(flag, NamespaceKinds.GetCloneFlag(type));
        Assert.Equal(proc, NamespaceKinds.GetProcName(type));
        Assert.Equal(type, NamespaceKinds.TypeFromCloneFlag(flag));
    }

    [Fact]
    public void Namespaces_Unknown()
    {
        Assert.False(NamespaceKinds.TryGetCloneFlag("net", out _));
        Assert.Throws<ArgumentException>(() => NamespaceKinds.GetCloneFlag("foo"));
    }
}
