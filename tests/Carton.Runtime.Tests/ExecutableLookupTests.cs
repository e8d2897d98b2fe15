using System.Runtime.Versioning;

namespace Carton.Runtime.Tests;

[SupportedOSPlatform("linux")]
public sealed class ExecutableLookupTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("carton-lookup-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string MakeFile(string name, UnixFileMode mode)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, "#!/bin/sh\n");
        File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public void SearchesPathInOrderAndSkipsNonExecutables()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "a"));
        Directory.CreateDirectory(Path.Combine(_dir, "b"));
        MakeFile("a/tool", UnixFileMode.UserRead);
        var good = MakeFile("b/tool", UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var found = ExecutableLookup.Resolve("tool", [$"PATH={_dir}/a:{_dir}/b"], "/");
        Assert.Equal(good, found);
    }

    [Fact]
    public void NamesTheFieldWhenNothingIsFound()
    {
        var e = Assert.Throws<RuntimeError>(() => ExecutableLookup.Resolve("nope", [$"PATH={_dir}"], "/"));
        Assert.Equal("process.args[0]: exec: \"nope\": executable file not found in $PATH", e.Message);
        var e2 = Assert.Throws<RuntimeError>(() => ExecutableLookup.Resolve("nope", [], "/"));
        Assert.Contains("process.env has no PATH", e2.Message);
    }

    [Fact]
    public void PathsWithASlashAreCheckedDirectlyIncludingRelativeToCwd()
    {
        MakeFile("run.sh", UnixFileMode.UserRead | UnixFileMode.UserExecute);
        Assert.Equal("./run.sh", ExecutableLookup.Resolve("./run.sh", [], _dir));
        MakeFile("data.txt", UnixFileMode.UserRead);
        Assert.Contains("permission denied", Assert.Throws<RuntimeError>(() => ExecutableLookup.Resolve(Path.Combine(_dir, "data.txt"), [], "/")).Message);
        Assert.Contains("permission denied", Assert.Throws<RuntimeError>(() => ExecutableLookup.Resolve(_dir, [], "/")).Message);
        Assert.Contains("no such file", Assert.Throws<RuntimeError>(() => ExecutableLookup.Resolve("/does/not/exist", [], "/")).Message);
    }
}
