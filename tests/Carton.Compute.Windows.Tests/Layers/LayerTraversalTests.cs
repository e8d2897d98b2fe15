using Carton.Images.Windows;

namespace Carton.Compute.Windows.Tests.Layers;

/// <summary>
/// The traversal attacks of the Linux unpacker's tests, and the ones Windows path rules add, on crafted Windows
/// layer tars. Each is refused by its own check, naming the entry, and leaves nothing behind; and each attack test is
/// shown to fail when that check is switched off (<see cref="Attack_test_fails_without_its_check"/>).
/// </summary>
public class LayerTraversalTests
{
    public enum Kind { File, HardLink, Whiteout }

    /// <summary>(kind, entry name, link target, the check that must refuse it).</summary>
    public static TheoryData<Kind, string, string, string> Attacks => new()
    {
        { Kind.File, "Files/../../evil", "", ImportChecks.DotDot },
        { Kind.File, "Files/Windows/../../../evil", "", ImportChecks.DotDot },
        { Kind.File, "/Files/evil", "", ImportChecks.Absolute },
        { Kind.File, "C:/Windows/evil", "", ImportChecks.DriveLetter },
        { Kind.File, "c:evil", "", ImportChecks.DriveLetter },
        { Kind.File, "Files\\..\\..\\evil", "", ImportChecks.Backslash },
        { Kind.File, "Files/a\\b", "", ImportChecks.Backslash },
        { Kind.File, "Files/a.txt:hidden", "", ImportChecks.AlternateStream },
        { Kind.File, "Files/a.txt::$DATA", "", ImportChecks.AlternateStream },
        { Kind.File, "Files/CON", "", ImportChecks.DeviceName },
        { Kind.File, "Files/Windows/nul.txt", "", ImportChecks.DeviceName },
        { Kind.File, "Files/COM1", "", ImportChecks.DeviceName },
        { Kind.File, "Files/lpt9.log", "", ImportChecks.DeviceName },
        { Kind.File, "Files/a.", "", ImportChecks.WindowsName },
        { Kind.File, "Files./a", "", ImportChecks.WindowsName },
        { Kind.File, "Files/a ", "", ImportChecks.WindowsName },
        { Kind.File, "Files/a<b", "", ImportChecks.WindowsName },
        { Kind.File, "Files/Windows.$wcidirs$", "", ImportChecks.WindowsName }, // a forged directory record
        { Kind.File, "etc/passwd", "", ImportChecks.Root },
        { Kind.File, "files/a", "", ImportChecks.Root },
        { Kind.File, "tombstones.txt", "", ImportChecks.Root },
        { Kind.File, "UtilityVM/Other/x", "", ImportChecks.Root },
        { Kind.HardLink, "Files/l", "../../etc/passwd", ImportChecks.DotDot },
        { Kind.HardLink, "Files/l", "/etc/passwd", ImportChecks.Absolute },
        { Kind.HardLink, "Files/l", "C:/Windows/System32/config/SAM", ImportChecks.DriveLetter },
        { Kind.HardLink, "Files/l", "Files/not-in-this-layer", ImportChecks.LinkInLayer },
        { Kind.HardLink, "Files/l", "Hives/SAM", ImportChecks.LinkInLayer },
        { Kind.HardLink, "Hives/l", "Files/x", ImportChecks.LinkInLayer },
        { Kind.HardLink, "Files/l", "Files", ImportChecks.LinkInLayer },
        { Kind.Whiteout, "Files/.wh..", "", ImportChecks.WindowsName }, // the entry's own name ends in '.'
        { Kind.Whiteout, "Files/.wh.a:b", "", ImportChecks.AlternateStream },
        { Kind.Whiteout, "Files/.wh.CON", "", ImportChecks.DeviceName },
        { Kind.Whiteout, "Hives/.wh.SAM", "", ImportChecks.Root },
    };

    private static byte[] Tar(Kind kind, string name, string target)
    {
        var tar = new LayerTar().Dir("Files").File("Files/x", "x");
        return (kind switch
        {
            Kind.HardLink => tar.HardLink(name, target),
            _ => tar.File(name, "evil"),
        }).Bytes();
    }

    private static WindowsLayerException? Run(TempFolder dir, byte[] tar, FakeLayerStorage storage, params string[] disabled)
    {
        try
        {
            new WindowsLayerImporter(storage).Import(new MemoryStream(tar), Path.Combine(dir.Path, "work", "layer"), [],
                new WindowsLayerImportOptions { LayerName = "attack", DisabledChecks = new HashSet<string>(disabled) });
            return null;
        }
        catch (WindowsLayerException e)
        {
            return e;
        }
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public void Attack_is_refused_by_its_check(Kind kind, string name, string target, string check)
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(Path.Combine(dir.Path, "work"));
        var storage = new FakeLayerStorage();
        var e = Run(dir, Tar(kind, name, target), storage);
        Assert.NotNull(e);
        Assert.Equal(check, e.Check);
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Equal(name, e.Entry);
        Assert.Contains($"entry \"{name}\"", e.Message, StringComparison.Ordinal);
        Assert.Empty(storage.Imports);
        // Nothing left: not the layer, not its transport folder, and nothing written next to them.
        Assert.Equal([Path.Combine(dir.Path, "work")], Directory.EnumerateFileSystemEntries(dir.Path, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public void Attack_test_fails_without_its_check(Kind kind, string name, string target, string check)
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(Path.Combine(dir.Path, "work"));
        var e = Run(dir, Tar(kind, name, target), new FakeLayerStorage(), check);
        // With its check off, the attack either goes through or is stopped by another defence: either way the
        // assertion of Attack_is_refused_by_its_check (this check refused it) no longer holds.
        Assert.True(e is null || e.Check != check, $"still refused by {check}: the switch does not reach the check");
    }

    [Fact]
    public void Dotdot_lands_outside_the_layer_when_the_name_checks_are_off()
    {
        // What the defences stand between: with "..", the Windows-name check (".." ends in '.') and the containment
        // check all off, the entry is written next to the work folder, outside anything the import owns.
        using var dir = new TempFolder();
        Directory.CreateDirectory(Path.Combine(dir.Path, "work"));
        var e = Run(dir, Tar(Kind.File, "Files/../../evil", ""), new FakeLayerStorage(),
            ImportChecks.DotDot, ImportChecks.WindowsName, ImportChecks.Contained);
        Assert.Null(e);
        Assert.True(File.Exists(Path.Combine(dir.Path, "work", "evil")), "the escape did not happen: the test shows nothing");
    }

    [Fact]
    public void Containment_alone_stops_dotdot()
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(Path.Combine(dir.Path, "work"));
        var e = Run(dir, Tar(Kind.File, "Files/../../evil", ""), new FakeLayerStorage(), ImportChecks.DotDot, ImportChecks.WindowsName);
        Assert.Equal(ImportChecks.Contained, e?.Check);
        Assert.False(File.Exists(Path.Combine(dir.Path, "work", "evil")));
    }

    [Theory]
    [InlineData("Files/a", "Files/a")]
    [InlineData("Files/Windows/System32/x.dll", "Files/windows/system32/X.DLL")]
    public void A_second_entry_for_the_same_windows_path_is_refused(string first, string second)
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(Path.Combine(dir.Path, "work"));
        var tar = new LayerTar().File(first, "one").File(second, "two").Bytes();
        var e = Run(dir, tar, new FakeLayerStorage());
        Assert.Equal(ImportChecks.Duplicate, e?.Check);
        Assert.Equal(second, e!.Entry);
        Assert.NotEqual(ImportChecks.Duplicate, Run(dir, tar, new FakeLayerStorage(), ImportChecks.Duplicate)?.Check);
    }
}
