using System.Text;
using Carton.Images.Linux.Tests.Support;
using Carton.Images.Linux.Unpack;

namespace Carton.Images.Linux.Tests;

/// <summary>
/// The unpack against GNU tar's extraction of the same archive (`tar --xattrs --xattrs-include='*' --numeric-owner
/// -xpf`, as root): every entry type, ownership, modes with setuid/setgid/sticky, mtimes to the nanosecond (directories
/// included, set after their content), xattrs with a binary file capability, hardlinks (also to a symlink), long and
/// non-ASCII names. Whiteouts are out of this comparison (GNU tar extracts them as plain files).
/// </summary>
public sealed class UnpackDifferentialTests
{
    /// <summary>security.capability, VFS_CAP_REVISION_2 with the effective flag: cap_setuid (7) and cap_net_raw (13)
    /// permitted. Byte 4 is 0x80: not valid UTF-8 on its own, which is what TarReader's PAX decoding loses.</summary>
    public static readonly byte[] Capability = [0x01, 0x00, 0x00, 0x02, 0x80, 0x20, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    public static byte[] EveryEntryType()
    {
        var old = new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero);
        var precise = new DateTimeOffset(2023, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1234567);
        var big = new byte[3 << 20];
        new Random(11).NextBytes(big);
        var longName = "deep/" + new string('n', 120) + "/" + new string('m', 90) + ".txt";
        return new TarBuilder()
            .Dir("./", 0x1ED, mtime: old)
            .Dir("etc", 0x1ED, mtime: old)
            .File("etc/hosts", "127.0.0.1 localhost\n", mtime: precise)
            .File("etc/shadow", "root:*:1::::::\n", 0x1A0, 0, 42)
            .Dir("tmp", 0x3FF | 0x200)                      // 1777
            .Dir("srv", 0x1FD | 0x400, 1000, 1000)          // 2775
            .Dir("private", 0x1C0, 1234, 5678, mtime: precise)
            .File("private/owned", "mine", 0x1A0, 1234, 5678)
            .Dir("bin")
            .File("bin/su", "#!/bin/true\n", 0x1ED | 0x800)   // 4755
            .File("bin/sg", "#!/bin/true\n", 0x1ED | 0x400, 0, 50) // 2755
            .FileWithRawXattrs("bin/ping", Encoding.ASCII.GetBytes("ping"), new Dictionary<string, byte[]>
            {
                ["security.capability"] = Capability,
                ["user.comment"] = Encoding.UTF8.GetBytes("élan"),
                ["trusted.note"] = [0xff, 0x00, 0xfe],
            })
            .Hardlink("bin/su-again", "bin/su")
            .File("empty", "")
            .File("zero-mode", "x", 0)
            .File("big.bin", big, 0x1A4, 7, 8, old)
            .File(longName, "long")
            .Dir("ünïcødé")
            .File("ünïcødé/файл", "text")
            .Dir("x", xattrs: new() { ["SCHILY.xattr.user.dir"] = "on a directory" })
            .File("x/plain", "p", xattrs: new() { ["SCHILY.xattr.user.one"] = "1", ["SCHILY.xattr.user.two"] = "" })
            .Dir("usr/lib")
            .Symlink("lib", "usr/lib")
            // GNU tar makes a symlink with an absolute target last (a placeholder first), which changes its
            // directory's mtime after tar restored it: such links go in a directory whose mtime is not compared.
            .Symlink("links/localtime", "/usr/share/zoneinfo/UTC", 1000, 1000, precise)
            .Symlink("dangling", "nowhere/at/all")
            .Hardlink("links/hardlink-to-symlink", "links/localtime")
            .Dir("dev")
            .CharDevice("dev/null", 1, 3)
            .CharDevice("dev/big", 300, 70000, 0x1A0, 0, 5)
            .BlockDevice("dev/sda", 8, 0, 0x1B0, 0, 6)
            .Fifo("dev/fifo", 0x190, 10, 20)
            .File("late/file", "before its directory's entry")
            .Dir("late", 0x1E8, 3, 4, mtime: old)            // 0750, after its content
            .Build();
    }

    private static readonly string[] ImplicitDirectories = ["deep", "deep/" + new string('n', 120), "usr", "links"];

    [Fact]
    public void EveryEntryType_MatchesGnuTar()
    {
        using var dir = new TestDirectory("diff");
        var tar = EveryEntryType();
        var tarFile = dir.Sub("layer.tar");
        File.WriteAllBytes(tarFile, tar);

        var result = LayerUnpacker.Unpack(new MemoryStream(tar), dir.Sub("carton"), new UnpackOptions { Whiteouts = WhiteoutMode.Apply });
        Assert.Equal(TarBuilder.DiffId(tar), result.DiffId);
        Assert.Empty(result.Warnings);

        Directory.CreateDirectory(dir.Sub("gnu"));
        File.SetUnixFileMode(dir.Sub("gnu"), (UnixFileMode)0x1ED);
        var (code, output) = TreeModel.Run("tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-xpf", tarFile, "-C", dir.Sub("gnu"));
        Assert.True(code == 0, "GNU tar failed: " + output);

        var carton = TreeModel.Scan(dir.Sub("carton"));
        var gnu = TreeModel.Scan(dir.Sub("gnu"));
        // Directories the archive does not declare are made when needed, by both, with the time of the moment.
        foreach (var implicitDir in ImplicitDirectories)
        {
            carton[implicitDir] = TreeModel.WithoutTime(carton[implicitDir]);
            gnu[implicitDir] = TreeModel.WithoutTime(gnu[implicitDir]);
        }
        Assert.True(carton.Count > 30, $"only {carton.Count} entries unpacked");
        var diff = TreeModel.Diff(carton, gnu);
        Assert.True(diff.Length == 0, "carton and GNU tar differ:\n" + diff);

        // The comparison itself can see what matters: the capability bytes, the setuid bit, a hardlink, a device.
        Assert.Contains("xattr:security.capability=0100000280200000", carton["bin/ping"], StringComparison.Ordinal);
        Assert.StartsWith("f 4755 0:0", carton["bin/su"], StringComparison.Ordinal);
        Assert.Contains("links=bin/su,bin/su-again", carton["bin/su"], StringComparison.Ordinal);
        Assert.Contains("dev=300:70000", carton["dev/big"], StringComparison.Ordinal);
        Assert.Contains("mtime=1672628645.123456700", carton["etc/hosts"], StringComparison.Ordinal);
        Assert.Contains("mtime=981173106.000000000", carton["late"], StringComparison.Ordinal);
    }

    [Fact]
    public void GzipLayer_StreamsAndReportsTheUncompressedDigest()
    {
        using var dir = new TestDirectory("gz");
        var tar = EveryEntryType();
        var source = TarBuilder.Source(tar);
        using var stream = source.Open();
        var result = LayerUnpacker.Unpack(stream, dir.Sub("out"), new UnpackOptions { ExpectedDiffId = source.DiffId });
        Assert.Equal(source.DiffId, result.DiffId);
        Assert.Equal(3 << 20, new FileInfo(dir.Sub("out/big.bin")).Length);
        Assert.True(result.Bytes > 3 << 20);
    }

    /// <summary>
    /// Archives GNU tar writes itself, from a tree made here: POSIX format with xattrs (its PAX headers carry mtime,
    /// atime, ctime and SCHILY.xattr records) and GNU format (long names and long link targets as 'L'/'K' entries,
    /// a uid beyond the 7-digit octal field in base-256), each unpacked by Carton and by GNU tar and compared.
    /// </summary>
    [Theory]
    [InlineData("posix")]
    [InlineData("gnu")]
    public void ArchivesWrittenByGnuTar_MatchGnuTarsExtraction(string format)
    {
        using var dir = new TestDirectory("gnu" + format);
        var src = dir.Sub("src");
        var longDir = Path.Combine(src, new string('d', 150), new string('e', 120));
        Directory.CreateDirectory(longDir);
        File.WriteAllText(Path.Combine(longDir, new string('f', 200)), "deep");
        File.WriteAllBytes(Path.Combine(src, "cap"), [1, 2, 3]);
        File.CreateSymbolicLink(Path.Combine(src, "long-link"), "/" + new string('t', 180));
        File.WriteAllText(Path.Combine(src, "plain"), "plain");
        Assert.Equal(0, TreeModel.Run("ln", Path.Combine(src, "plain"), Path.Combine(src, "plain-hardlink")).Code);
        Assert.Equal(0, TreeModel.Run("chown", "3000000:7", Path.Combine(src, "plain")).Code);
        if (format == "posix")
        {
            int fd = Carton.Linux.IO.FileDescriptor.Open(Path.Combine(src, "cap"), Carton.Linux.IO.OpenFlags.ReadOnly, "open cap");
            try
            {
                Assert.Equal(0, Carton.Linux.IO.ExtendedAttributes.TrySet(fd, "security.capability", Capability));
                Assert.Equal(0, Carton.Linux.IO.ExtendedAttributes.TrySet(fd, "user.binary", [0x80, 0xff, 0x00, 0x41]));
            }
            finally { Carton.Linux.IO.FileDescriptor.Close(fd); }
        }
        var tarFile = dir.Sub("layer.tar");
        var args = format == "posix"
            ? new[] { "--format=posix", "--xattrs", "--xattrs-include=*", "-cf", tarFile, "-C", src, "." }
            : new[] { "--format=gnu", "-cf", tarFile, "-C", src, "." };
        var (code, output) = TreeModel.Run("tar", args);
        Assert.True(code == 0, output);

        using (var stream = File.OpenRead(tarFile))
            LayerUnpacker.Unpack(stream, dir.Sub("carton"), new UnpackOptions { Whiteouts = WhiteoutMode.Apply });
        Directory.CreateDirectory(dir.Sub("gnu"));
        (code, output) = TreeModel.Run("tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-xpf", tarFile, "-C", dir.Sub("gnu"));
        Assert.True(code == 0, output);
        var carton = TreeModel.Scan(dir.Sub("carton"));
        var gnu = TreeModel.Scan(dir.Sub("gnu"));
        var diff = TreeModel.Diff(carton, gnu);
        Assert.True(diff.Length == 0, "carton and GNU tar differ:\n" + diff);
        Assert.Contains("3000000:7", carton["plain"], StringComparison.Ordinal);
        Assert.Contains("-> /" + new string('t', 180), carton["long-link"], StringComparison.Ordinal);
        if (format == "posix")
            Assert.Contains("xattr:security.capability=0100000280200000", carton["cap"], StringComparison.Ordinal);
    }
}
