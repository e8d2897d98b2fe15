namespace Carton.Runtime.Tests;

public sealed class SignalsTests
{
    [Theory]
    [InlineData("KILL", 9)]
    [InlineData("SIGKILL", 9)]
    [InlineData("9", 9)]
    [InlineData("TERM", 15)]
    [InlineData("SIGHUP", 1)]
    [InlineData("USR1", 10)]
    [InlineData("SIGRTMIN", 34)]
    [InlineData("RTMIN+3", 37)]
    [InlineData("SIGRTMAX", 64)]
    [InlineData("RTMAX-1", 63)]
    [InlineData("64", 64)]
    public void ParsesNamesAndNumbers(string text, int expected) => Assert.Equal(expected, Signals.Parse(text));

    [Theory]
    [InlineData("0")]
    [InlineData("65")]
    [InlineData("9x")]
    [InlineData("+9")]
    [InlineData("kill")] // names are case-sensitive, as in runc
    [InlineData("SIGFOO")]
    [InlineData("")]
    [InlineData("RTMIN+40")]
    public void RejectsAnythingElse(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => Signals.Parse(text));
        Assert.Contains($"invalid signal \"{text}\"", e.Message);
    }
}
