using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using Carton.Images.Windows;

namespace Carton.Compute.Windows.Tests.Layers;

/// <summary>The Windows layer importer on crafted tars: what the transport folder holds (bytes written out by hand
/// from the WIN32_STREAM_ID and REPARSE_DATA_BUFFER layouts), the import call, and cleanup on failure.</summary>
public class WindowsLayerImporterTests
{
    private static readonly string Parent1 = "/layers/sha256-" + new string('1', 64);
    private static readonly string Parent2 = "/layers/sha256-" + new string('2', 64);

    private static (WindowsLayerImportResult Result, ImportCall Call, string Layer) Import(byte[] tar, TempFolder dir, FakeLayerStorage? storage = null, params string[] parents)
    {
        storage ??= new FakeLayerStorage();
        var layer = Path.Combine(dir.Path, "layer");
        var result = new WindowsLayerImporter(storage).Import(new MemoryStream(tar), layer, parents, new WindowsLayerImportOptions { LayerName = "test" });
        return (result, Assert.Single(storage.Imports), layer);
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    // WIN32_STREAM_ID without a name: id, attributes 0, 64-bit size, name size 0 (little endian).
    private static byte[] StreamHeader(byte id, byte size) =>
        [id, 0, 0, 0, 0, 0, 0, 0, size, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    [Fact]
    public void Files_hives_and_utility_vm_become_the_transport_folder()
    {
        using var dir = new TempFolder();
        var tar = new LayerTar()
            .Dir("Files", ("MSWINDOWS.fileattr", "16"))
            .Dir("Files/Windows", ("MSWINDOWS.fileattr", "16"), ("MSWINDOWS.rawsd", "AQIDBA=="))
            .File("Files/Windows/a.txt", "hello", ("MSWINDOWS.fileattr", "32"), ("MSWINDOWS.rawsd", "AQIDBA=="), ("LIBARCHIVE.creationtime", "1700000000.5"))
            .File("Files/plain.txt", "")
            .Dir("Hives", ("MSWINDOWS.fileattr", "16"))
            .File("Hives/DefaultUser_Delta", "regf...")
            .Dir("UtilityVM")
            .Dir("UtilityVM/Files")
            .File("UtilityVM/Files/boot.efi", "efi")
            .Bytes();
        var (result, call, layer) = Import(tar, dir, null, Parent1, Parent2);

        var f = call.Folder;
        Assert.Equal(Concat([0x20, 0, 0, 0], StreamHeader(3, 4), [1, 2, 3, 4], StreamHeader(1, 5), "hello"u8.ToArray()), f["Files/Windows/a.txt"]);
        Assert.Equal(Concat([0, 0, 0, 0], StreamHeader(1, 0)), f["Files/plain.txt"]); // no PAX attributes: 0, an empty data stream
        Assert.Equal(new byte[] { 0x10, 0, 0, 0 }, f["Files.$wcidirs$"]);
        Assert.Equal(Concat([0x10, 0, 0, 0], StreamHeader(3, 4), [1, 2, 3, 4]), f["Files/Windows.$wcidirs$"]);
        Assert.Null(f["Files/Windows"]); // the directory itself
        Assert.Equal("regf..."u8.ToArray(), f["Hives/DefaultUser_Delta"]); // a hive is a plain file
        Assert.Equal(new byte[] { 0x10, 0, 0, 0 }, f["Hives.$wcidirs$"]);
        Assert.Equal("efi"u8.ToArray(), f["UtilityVM/Files/boot.efi"]);
        Assert.False(f.ContainsKey("UtilityVM.$wcidirs$"));
        Assert.Equal(Concat([0xEF, 0xBB, 0xBF], "Version 1.0\r\n"u8.ToArray()), f["tombstones.txt"]);

        Assert.Equal(layer, call.LayerPath);
        Assert.Equal(WindowsLayerImporter.StagingFolderOf(layer), call.SourceFolder);
        Assert.False(Directory.Exists(call.SourceFolder)); // the transport folder is gone after the import
        var id1 = LayerFolders.LayerId(Parent1);
        var id2 = LayerFolders.LayerId(Parent2);
        Assert.Equal($$"""{"SchemaVersion":{"Major":2,"Minor":1},"Layers":[{"Id":"{{id1}}","Path":"{{Parent1}}"},{"Id":"{{id2}}","Path":"{{Parent2}}"}]}""", call.LayerDataJson);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar)), result.DiffId);
        Assert.Equal(9, result.Entries);
        Assert.Equal(5 + 7 + 3, result.Bytes);
    }

    [Fact]
    public void Whiteouts_under_files_become_tombstones()
    {
        using var dir = new TempFolder();
        var tar = new LayerTar()
            .Dir("Files")
            .File("Files/Windows/.wh.old.dll", "")
            .File("Files/.wh.Program Files", "")
            .Bytes();
        var (result, call, _) = Import(tar, dir, null, Parent1);
        Assert.Equal(Concat([0xEF, 0xBB, 0xBF], "Version 1.0\r\n\\Windows\\old.dll\r\n\\Program Files\r\n"u8.ToArray()), call.Folder["tombstones.txt"]);
        Assert.False(call.Folder.ContainsKey("Files/Windows/.wh.old.dll"));
        Assert.Equal([@"\Windows\old.dll", @"\Program Files"], result.Whiteouts);
    }

    [Fact]
    public void A_symlink_is_reparse_data_in_its_file()
    {
        using var dir = new TempFolder();
        var tar = new LayerTar()
            .Symlink("Files/link", @"C:\Windows", ("MSWINDOWS.fileattr", "1024"))
            .Symlink("Files/rel", "Windows/x")
            .Symlink("Files/Documents and Settings", @"C:\Users", ("MSWINDOWS.mountpoint", "1"))
            .Bytes();
        var (_, call, _) = Import(tar, dir, null, Parent1);

        var sub = Encoding.Unicode.GetBytes(@"\??\C:\Windows");  // 28 bytes
        var print = Encoding.Unicode.GetBytes(@"C:\Windows");    // 20 bytes
        byte[] reparse = Concat(
            [0x0C, 0, 0, 0xA0, 60, 0, 0, 0],          // IO_REPARSE_TAG_SYMLINK, ReparseDataLength 12+28+20, Reserved
            [0, 0, 28, 0, 28, 0, 20, 0, 0, 0, 0, 0],   // sub offset/length, print offset/length, Flags 0 (absolute)
            sub, print);
        Assert.Equal(Concat([0x00, 0x04, 0, 0], StreamHeader(8, (byte)reparse.Length), reparse), call.Folder["Files/link"]);

        var rel = call.Folder["Files/rel"]!;
        Assert.Equal(1u, BitConverter.ToUInt32(rel, 4 + 20 + 16)); // SYMLINK_FLAG_RELATIVE
        Assert.Equal(@"Windows\x", Encoding.Unicode.GetString(rel, 4 + 20 + 20, 18)); // '/' became '\'

        var junction = call.Folder["Files/Documents and Settings"]!;
        Assert.Equal(new byte[] { 0x03, 0, 0, 0xA0 }, junction[24..28]); // IO_REPARSE_TAG_MOUNT_POINT
        var jsub = Encoding.Unicode.GetBytes(@"\??\C:\Users");
        Assert.Equal(jsub, junction[(24 + 16)..(24 + 16 + jsub.Length)]); // no Flags field in a junction's buffer
        Assert.Equal(new byte[] { 0, 0 }, junction[(24 + 16 + jsub.Length)..(24 + 16 + jsub.Length + 2)]); // NUL-terminated
    }

    [Fact]
    public void A_hard_link_to_a_file_of_the_layer_is_a_copy_of_it()
    {
        using var dir = new TempFolder();
        var tar = new LayerTar()
            .File("Files/a.dll", "code", ("MSWINDOWS.fileattr", "32"))
            .HardLink("Files/Windows/b.dll", "Files/a.dll")
            .File("UtilityVM/Files/x", "uvm")
            .HardLink("UtilityVM/Files/y", "UtilityVM/Files/x")
            .Bytes();
        var (_, call, _) = Import(tar, dir, null, Parent1);
        Assert.Equal(call.Folder["Files/a.dll"], call.Folder["Files/Windows/b.dll"]);
        Assert.Equal("uvm"u8.ToArray(), call.Folder["UtilityVM/Files/y"]);
    }

    [Fact]
    public void A_base_layer_is_imported_with_no_parents()
    {
        using var dir = new TempFolder();
        var (_, call, _) = Import(new LayerTar().Dir("Files").Bytes(), dir);
        Assert.Equal("""{"SchemaVersion":{"Major":2,"Minor":1},"Layers":[]}""", call.LayerDataJson);
    }

    [Fact]
    public void A_failed_import_leaves_no_folder_and_names_the_call()
    {
        using var dir = new TempFolder();
        var storage = new FakeLayerStorage { FailImportWith = unchecked((int)0x80070005) };
        var layer = Path.Combine(dir.Path, "layer");
        var e = Assert.Throws<WindowsLayerException>(() => new WindowsLayerImporter(storage)
            .Import(new MemoryStream(new LayerTar().File("Files/a", "x").Bytes()), layer, [Parent1], new WindowsLayerImportOptions { LayerName = "L" }));
        Assert.Equal(ErrorKind.PermissionDenied, e.Kind);
        Assert.Contains("HcsImportLayer", e.Message, StringComparison.Ordinal);
        Assert.Contains("E_ACCESSDENIED", e.Message, StringComparison.Ordinal);
        Assert.Equal([layer], storage.Destroyed); // HCS's own delete first
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path)); // neither the layer nor the transport folder
    }

    [Fact]
    public void A_wrong_diff_id_is_refused_before_hcs_is_called()
    {
        using var dir = new TempFolder();
        var storage = new FakeLayerStorage();
        var e = Assert.Throws<WindowsLayerException>(() => new WindowsLayerImporter(storage).Import(
            new MemoryStream(new LayerTar().File("Files/a", "x").Bytes()), Path.Combine(dir.Path, "layer"), [],
            new WindowsLayerImportOptions { ExpectedDiffId = "sha256:" + new string('0', 64) }));
        Assert.Equal(ImportChecks.DiffId, e.Check);
        Assert.Empty(storage.Imports);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void The_right_diff_id_passes()
    {
        using var dir = new TempFolder();
        var tar = new LayerTar().File("Files/a", "x").Bytes();
        var storage = new FakeLayerStorage();
        new WindowsLayerImporter(storage).Import(new MemoryStream(tar), Path.Combine(dir.Path, "layer"), [],
            new WindowsLayerImportOptions { ExpectedDiffId = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar)) });
        Assert.Single(storage.Imports);
    }

    [Fact]
    public void A_malformed_tar_is_an_invalid_document_and_leaves_nothing()
    {
        using var dir = new TempFolder();
        var garbage = new byte[1024];
        new Random(1).NextBytes(garbage);
        var e = Assert.Throws<WindowsLayerException>(() => new WindowsLayerImporter(new FakeLayerStorage())
            .Import(new MemoryStream(garbage), Path.Combine(dir.Path, "layer"), []));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Contains("malformed tar", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void An_existing_layer_folder_is_not_merged_into()
    {
        using var dir = new TempFolder();
        var layer = Directory.CreateDirectory(Path.Combine(dir.Path, "layer")).FullName;
        var e = Assert.Throws<WindowsLayerException>(() => new WindowsLayerImporter(new FakeLayerStorage())
            .Import(new MemoryStream(new LayerTar().Dir("Files").Bytes()), layer, []));
        Assert.Equal(ErrorKind.AlreadyExists, e.Kind);
        Assert.True(Directory.Exists(layer)); // someone else's: left alone
    }

    [Theory]
    [InlineData(TarEntryType.CharacterDevice)]
    [InlineData(TarEntryType.Fifo)]
    public void Devices_and_fifos_are_refused(TarEntryType type)
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<WindowsLayerException>(() => Import(new LayerTar().Entry(type, "Files/dev").Bytes(), dir));
        Assert.Equal("Files/dev", e.Entry);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void Windows_metadata_not_applied_on_linux_is_counted()
    {
        if (OperatingSystem.IsWindows()) return; // there the attributes are applied
        using var dir = new TempFolder();
        var tar = new LayerTar()
            .File("Hives/SAM", "x", ("MSWINDOWS.fileattr", "34"), ("MSWINDOWS.rawsd", "AQIDBA=="))
            .File("Files/a", "x", ("MSWINDOWS.xattr.foo", "AA=="))
            .Bytes();
        var (result, _, _) = Import(tar, dir);
        Assert.Contains("1 file attributes under Hives/ and UtilityVM/ ignored (not Windows)", result.Warnings);
        Assert.Contains("1 security descriptors under Hives/ and UtilityVM/ not applied", result.Warnings);
        Assert.Contains("1 entries with extended attributes (MSWINDOWS.xattr.*) not imported", result.Warnings);
    }

    [Theory]
    [InlineData("MSWINDOWS.fileattr", "0x20")]
    [InlineData("MSWINDOWS.rawsd", "not base64!")]
    [InlineData("LIBARCHIVE.creationtime", "yesterday")]
    public void Bad_windows_pax_records_are_refused_naming_the_entry(string key, string value)
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<WindowsLayerException>(() => Import(new LayerTar().File("Files/a", "x", (key, value)).Bytes(), dir));
        Assert.Equal("Files/a", e.Entry);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void An_sddl_security_descriptor_is_unsupported_not_dropped()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<WindowsLayerException>(() => Import(new LayerTar().File("Files/a", "x", ("MSWINDOWS.sd", "O:BAG:SYD:")).Bytes(), dir));
        Assert.Equal(ErrorKind.Unsupported, e.Kind);
    }

    [Fact]
    public void A_utility_vm_whiteout_is_unsupported()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<WindowsLayerException>(() => Import(new LayerTar().File("UtilityVM/Files/.wh.x", "").Bytes(), dir));
        Assert.Equal(ErrorKind.Unsupported, e.Kind);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }
}
