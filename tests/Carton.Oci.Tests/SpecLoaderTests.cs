namespace Carton.Oci.Tests;

public class SpecLoaderTests
{
    private static string Write(TestHelpers.TempDir dir, string json)
    {
        var p = Path.Combine(dir.Path, "config.json");
        File.WriteAllText(p, json);
        return p;
    }

    [Fact]
    public void Load_ValidBundle()
    {
        using var dir = new TestHelpers.TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "rootfs"));
        var spec = SpecLoader.Load(Write(dir, TestHelpers.Serialize(DefaultSpec.Create(false))));
        Assert.Equal(["sh"], spec.Process!.Args!);
    }

    [Fact]
    public void Load_SyntaxError_NamesLineAndPosition()
    {
        using var dir = new TestHelpers.TempDir();
        var p = Write(dir, "{\n  \"ociVersion\": \"1.3.0\",\n  \"root\": }\n");
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(p));
        Assert.StartsWith("config.json: invalid JSON at line 3 position 11: ", e.Message);
        Assert.DoesNotContain("LineNumber", e.Message);
    }

    [Fact]
    public void Load_TypeError_NamesJsonPath()
    {
        using var dir = new TestHelpers.TempDir();
        var p = Write(dir, """{"ociVersion": "1.3.0", "process": {"user": {"uid": "root"}, "args": ["sh"], "cwd": "/"}}""");
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(p));
        Assert.StartsWith("config.json: process.user.uid: invalid value", e.Message);
    }

    [Fact]
    public void Load_TypeError_InArray_NamesIndex()
    {
        using var dir = new TestHelpers.TempDir();
        var p = Write(dir, """{"ociVersion": "1.3.0", "mounts": [{"destination": "/a"}, {"destination": 5}]}""");
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(p, validate: false));
        Assert.StartsWith("config.json: mounts[1].destination: invalid value", e.Message);
    }

    [Fact]
    public void Load_NotAnObject()
    {
        using var dir = new TestHelpers.TempDir();
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(Write(dir, "[1]")));
        Assert.Equal("config.json: must be a JSON object, not an array", e.Message);
    }

    [Fact]
    public void Load_ValidationError_IsPrefixedWithFileName()
    {
        using var dir = new TestHelpers.TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "rootfs"));
        var spec = DefaultSpec.Create(false);
        spec.Process!.Args = [];
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(Write(dir, TestHelpers.Serialize(spec))));
        Assert.Equal("config.json: process.args: must not be empty", e.Message);
        Assert.Equal("process.args", Assert.Single(e.Errors).Path);
    }

    [Fact]
    public void Load_MissingRootfs_UsesBundleDirectory()
    {
        using var dir = new TestHelpers.TempDir();
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(Write(dir, TestHelpers.Serialize(DefaultSpec.Create(false)))));
        Assert.Equal($"config.json: root.path: directory \"{Path.Combine(dir.Path, "rootfs")}\" does not exist", e.Message);
    }

    [Fact]
    public void Load_MissingFile()
    {
        using var dir = new TestHelpers.TempDir();
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(Path.Combine(dir.Path, "config.json")));
        Assert.StartsWith("config.json: no such file", e.Message);
    }
}
