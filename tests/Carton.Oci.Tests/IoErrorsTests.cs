namespace Carton.Oci.Tests;

/// <summary>IoErrors.Describe: the resource keys that NativeAOT binaries (UseSystemResourceKeys) carry instead of
/// .NET's messages read as words, with the path first.</summary>
public sealed class IoErrorsTests
{
    [Theory]
    [InlineData("IO_PathNotFound_Path, /root/.docker/config.json", "/root/.docker/config.json: no such file or directory")]
    [InlineData("UnauthorizedAccess_IODenied_Path, /var/lib/carton/index.json", "/var/lib/carton/index.json: permission denied")]
    [InlineData("IO_FileExists_Name, /tmp/x", "/tmp/x: already exists")]
    [InlineData("IO_PathNotFound_NoPathName", "no such file or directory")]
    public void ResourceKeys_ReadAsWords(string message, string expected) =>
        Assert.Equal(expected, IoErrors.Describe(new IOException(message)));

    [Theory]
    [InlineData("Could not find a part of the path '/x'.")]
    [InlineData("blob sha256:ab: not in the content store")]
    [InlineData("Some_Unknown_Key, /x")]
    public void OtherMessages_AreKept(string message) =>
        Assert.Equal(message, IoErrors.Describe(new IOException(message)));

    [Fact]
    public void AnUnlistedKey_WithAnErrno_ReadsAsStrerror() =>
        Assert.Equal("/x: No such file or directory", IoErrors.Describe(new IOException("IO_Something_Else, /x", 2)));
}
