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
    [InlineData("abc\n", "invalid container id")]       // $ would match before a final newline: the pattern ends in \z
    [InlineData("x.y\n", "invalid container id")]
    [InlineData("abc\r\n", "invalid container id")]
    [InlineData("\nabc", "invalid container id")]
    [InlineData("abc\0", "invalid container id")]
    public void RejectsIdsThatCouldBePathsOrAreMalformed(string id, string expected)
    {
        var e = Assert.Throws<RuntimeError>(() => ContainerId.Validate(id));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("abc", true)]
    [InlineData("abc\n", false)]
    [InlineData("..", false)]
    [InlineData(null, false)]
    public void IsValidAgreesWithValidate(string? id, bool valid) => Assert.Equal(valid, ContainerId.IsValid(id));

    [Fact]
    public void RejectsOverlongIds()
    {
        var e = Assert.Throws<RuntimeError>(() => ContainerId.Validate(new string('a', 1025)));
        Assert.Contains("longer than 1024", e.Message);
    }
}
