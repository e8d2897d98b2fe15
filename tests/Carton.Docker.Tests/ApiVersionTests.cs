namespace Carton.Docker.Tests;

/// <summary>The pure parts: versions compare numerically, and filters glob as Go's path.Match.</summary>
public sealed class ApiVersionTests
{
    [Theory]
    [InlineData("1.41", true)]
    [InlineData("1.9", true)]
    [InlineData("1", false)]
    [InlineData("1.", false)]
    [InlineData("a.b", false)]
    [InlineData("1.41.1", false)]
    public void Parse(string text, bool ok) => Assert.Equal(ok, ApiVersion.TryParse(text, out _));

    [Fact]
    public void ComparesNumerically()
    {
        Assert.True(new ApiVersion(1, 9) < ApiVersion.Minimum);
        Assert.True(new ApiVersion(1, 40) < ApiVersion.Minimum);
        Assert.True(new ApiVersion(1, 50) <= ApiVersion.Maximum);
        Assert.True(new ApiVersion(2, 0) > ApiVersion.Maximum);
        Assert.Equal("1.41", ApiVersion.Minimum.ToString());
    }

    [Theory]
    [InlineData("busybox", "busybox", true)]
    [InlineData("busy*", "busybox", true)]
    [InlineData("*", "library/busybox", false)]
    [InlineData("*/*", "library/busybox", true)]
    [InlineData("busybox:*", "busybox:latest", true)]
    [InlineData("b?sybox", "busybox", true)]
    [InlineData("[a-c]usybox", "busybox", true)]
    [InlineData("[!a-c]usybox", "busybox", false)]
    [InlineData("127.0.0.1:*/busybox", "127.0.0.1:5000/busybox", true)]
    public void Glob(string pattern, string text, bool match) => Assert.Equal(match, DockerFilters.GlobMatch(pattern, text));
}
