using static Carton.Oci.MountConstants;

namespace Carton.Oci.Tests;

public class MountOptionParserTests
{
    [Fact]
    public void RuncDefaultDevOptions()
    {
        var p = MountOptionParser.Parse(["nosuid", "strictatime", "mode=755", "size=65536k"]);
        Assert.Equal(MS_NOSUID | MS_STRICTATIME, p.Flags);
        Assert.Equal("mode=755,size=65536k", p.Data);
        Assert.False(p.Bind);
        Assert.Empty(p.PropagationFlags);
    }

    [Fact]
    public void ClearingOptions_RemoveFlag_AndRecordClear()
    {
        var p = MountOptionParser.Parse(["ro", "nosuid", "rw", "suid", "nodev"]);
        Assert.Equal(MS_NODEV, p.Flags);
        Assert.Equal(MS_RDONLY | MS_NOSUID, p.ClearFlags);
    }

    [Fact]
    public void SetAfterClear_RemovesFromClearFlags()
    {
        var p = MountOptionParser.Parse(["rw", "ro"]);
        Assert.Equal(MS_RDONLY, p.Flags);
        Assert.Equal(0ul, p.ClearFlags);
    }

    [Theory]
    [InlineData("sync", MS_SYNCHRONOUS)]
    [InlineData("dirsync", MS_DIRSYNC)]
    [InlineData("remount", MS_REMOUNT)]
    [InlineData("mand", MS_MANDLOCK)]
    [InlineData("noatime", MS_NOATIME)]
    [InlineData("nodiratime", MS_NODIRATIME)]
    [InlineData("relatime", MS_RELATIME)]
    [InlineData("lazytime", MS_LAZYTIME)]
    [InlineData("silent", MS_SILENT)]
    [InlineData("iversion", MS_I_VERSION)]
    [InlineData("nosymfollow", MS_NOSYMFOLLOW)]
    [InlineData("noexec", MS_NOEXEC)]
    [InlineData("nodev", MS_NODEV)]
    public void SetOptions(string opt, ulong flag)
    {
        var p = MountOptionParser.Parse([opt]);
        Assert.Equal(flag, p.Flags);
        Assert.Equal("", p.Data);
    }

    [Theory]
    [InlineData("async", MS_SYNCHRONOUS)]
    [InlineData("nomand", MS_MANDLOCK)]
    [InlineData("atime", MS_NOATIME)]
    [InlineData("diratime", MS_NODIRATIME)]
    [InlineData("norelatime", MS_RELATIME)]
    [InlineData("nostrictatime", MS_STRICTATIME)]
    [InlineData("nolazytime", MS_LAZYTIME)]
    [InlineData("loud", MS_SILENT)]
    [InlineData("noiversion", MS_I_VERSION)]
    [InlineData("symfollow", MS_NOSYMFOLLOW)]
    [InlineData("exec", MS_NOEXEC)]
    [InlineData("dev", MS_NODEV)]
    public void ClearOptions(string opt, ulong flag)
    {
        var p = MountOptionParser.Parse([opt]);
        Assert.Equal(0ul, p.Flags);
        Assert.Equal(flag, p.ClearFlags);
    }

    [Fact]
    public void Bind_And_Rbind()
    {
        var b = MountOptionParser.Parse(["bind"]);
        Assert.True(b.Bind);
        Assert.False(b.Recursive);
        Assert.Equal(MS_BIND, b.Flags);

        var r = MountOptionParser.Parse(["rbind", "ro"]);
        Assert.True(r.Bind);
        Assert.True(r.Recursive);
        Assert.Equal(MS_BIND | MS_REC | MS_RDONLY, r.Flags);
    }

    [Fact]
    public void Propagation_InOrder_WithRec()
    {
        var p = MountOptionParser.Parse(["private", "rshared", "slave", "rslave", "unbindable", "runbindable", "rprivate", "shared"]);
        Assert.Equal(
            [MS_PRIVATE, MS_SHARED | MS_REC, MS_SLAVE, MS_SLAVE | MS_REC, MS_UNBINDABLE, MS_UNBINDABLE | MS_REC, MS_PRIVATE | MS_REC, MS_SHARED],
            p.PropagationFlags);
        Assert.Equal(0ul, p.Flags);
    }

    [Fact]
    public void RecursiveAttributes()
    {
        var p = MountOptionParser.Parse(["rro", "rnosuid", "rnodev", "rnoexec", "rnodiratime", "rnosymfollow"]);
        Assert.Equal(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW, p.RecursiveAttrSet);
        Assert.Equal(0ul, p.RecursiveAttrClear);
        Assert.Equal(0ul, p.Flags);
    }

    [Fact]
    public void RecursiveClearAttributes()
    {
        var p = MountOptionParser.Parse(["rrw", "rsuid", "rdev", "rexec", "rdiratime", "rsymfollow", "ratime", "rnostrictatime", "rnorelatime"]);
        Assert.Equal(0ul, p.RecursiveAttrSet);
        Assert.Equal(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW | MOUNT_ATTR_NOATIME | MOUNT_ATTR_STRICTATIME, p.RecursiveAttrClear);
    }

    [Theory]
    [InlineData("rnoatime", MOUNT_ATTR_NOATIME)]
    [InlineData("rstrictatime", MOUNT_ATTR_STRICTATIME)]
    [InlineData("rrelatime", MOUNT_ATTR_RELATIME)]
    public void RecursiveAtime_AlsoClearsAtimeMask(string opt, ulong attr)
    {
        var p = MountOptionParser.Parse([opt]);
        Assert.Equal(attr, p.RecursiveAttrSet);
        Assert.Equal(MOUNT_ATTR__ATIME, p.RecursiveAttrClear);
    }

    [Fact]
    public void CartonExtensions()
    {
        var t = MountOptionParser.Parse(["tmpcopyup"]);
        Assert.True(t.TmpCopyUp);
        var i = MountOptionParser.Parse(["bind", "idmap"]);
        Assert.True(i.IdMap);
        Assert.False(i.RecursiveIdMap);
        var r = MountOptionParser.Parse(["rbind", "ridmap"]);
        Assert.True(r.IdMap);
        Assert.True(r.RecursiveIdMap);
        Assert.Equal("", r.Data);
    }

    [Fact]
    public void UnknownOptions_BecomeData_InOrder()
    {
        var p = MountOptionParser.Parse(["nosuid", "newinstance", "ptmxmode=0666", "noexec", "mode=0620", "gid=5"]);
        Assert.Equal(MS_NOSUID | MS_NOEXEC, p.Flags);
        Assert.Equal("newinstance,ptmxmode=0666,mode=0620,gid=5", p.Data);
    }

    [Fact]
    public void Null_IsEmpty()
    {
        var p = MountOptionParser.Parse(null);
        Assert.Equal(0ul, p.Flags);
        Assert.Equal("", p.Data);
    }

    [Fact]
    public void Constants_MatchLinuxHeaders()
    {
        Assert.Equal(0x4000ul, MS_REC);
        Assert.Equal(0x40000ul, MS_PRIVATE);
        Assert.Equal(0x100000ul, MS_SHARED);
        Assert.Equal(0x1000000ul, MS_STRICTATIME);
        Assert.Equal(0x200000ul, MOUNT_ATTR_NOSYMFOLLOW);
        Assert.Equal(0x100000ul, MOUNT_ATTR_IDMAP);
    }
}
