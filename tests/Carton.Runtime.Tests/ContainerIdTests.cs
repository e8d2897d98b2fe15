namespace Carton.Runtime.Tests;

public sealed class ContainerIdTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("my-container_1.2+x")]
    [InlineData("0abc")]
    [InlineData("-leading-dash")]
    public void AcceptsRuncCompatibleIds(string id) => ContainerId.Validate(id);

    [Theory]
    [InlineData("", "cannot be empty")]
    [InlineData(".", "invalid container id")]
    [InlineData("..", "invalid container id")]
    [InlineData("../x", "invalid container id")]
    [InlineData("a/b", "invalid container id")]
    [InlineData(".hidden", "invalid container id")]
    [InlineData("a b", "invalid container id")]
    [InlineData("a\nb", "invalid container id")]
    public void RejectsIdsThatCouldBePathsOrAreMalformed(string id, string expected)
    {
        var e = Assert.Throws<RuntimeError>(() => ContainerId.Validate(id));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void RejectsOverlongIds()
    {
        var e = Assert.Throws<RuntimeError>(() => ContainerId.Validate(new string('a', 1025)));
        Assert.Contains("longer than 1024", e.Message);
    }
}
