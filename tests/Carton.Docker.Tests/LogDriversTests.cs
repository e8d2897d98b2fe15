using Carton.Docker.Models;

namespace Carton.Docker.Tests;

/// <summary>HostConfig.LogConfig's checks and their translation (<see cref="LogDrivers"/>): go-units' FromHumanSize
/// for max-size, dockerd's defaults and messages.</summary>
public sealed class LogDriversTests
{
    [Theory]
    [InlineData("1", 1L)]
    [InlineData("1k", 1000L)]
    [InlineData("1K", 1000L)]
    [InlineData("1kb", 1000L)]
    [InlineData("1KiB", 1000L)] // FromHumanSize: decimal whatever the suffix says, as dockerd's max-size
    [InlineData("10m", 10_000_000L)]
    [InlineData("1.5g", 1_500_000_000L)]
    [InlineData("2 MB", 2_000_000L)]
    [InlineData("7b", 7L)]
    [InlineData("0", 0L)]
    public void ParseSize_ReadsDecimalUnits(string value, long bytes)
    {
        Assert.True(LogDrivers.TryParseSize(value, out var parsed, out var error), error);
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("abc", "invalid size: 'abc'")]
    [InlineData("", "invalid size: ''")]
    [InlineData("10x", "invalid suffix: 'x'")]
    [InlineData("10kx", "invalid suffix: 'kx'")]
    [InlineData("10bb", "invalid suffix: 'bb'")]
    [InlineData("10kibb", "invalid suffix: 'kibb'")]
    [InlineData("-1k", "invalid size: '-1k'")]
    [InlineData("1.2.3k", "strconv.ParseFloat: parsing \"1.2.3\": invalid syntax")]
    public void ParseSize_RefusesWithGoUnitsMessages(string value, string message)
    {
        Assert.False(LogDrivers.TryParseSize(value, out _, out var error));
        Assert.Equal(message, error);
    }

    private static LogDrivers.Settings Resolve(string? type, params (string Key, string Value)[] options) =>
        LogDrivers.Resolve(new LogConfig { Type = type, Config = options.ToDictionary(o => o.Key, o => o.Value) }, []);

    [Fact]
    public void Drivers_GiveTheirSettings()
    {
        Assert.Equal(new LogDrivers.Settings(false, null, null), Resolve(null));
        Assert.Equal(new LogDrivers.Settings(false, null, null), Resolve("json-file", ("max-file", "3"))); // as dockerd: no size, no rotation
        Assert.Equal(new LogDrivers.Settings(false, 1000, 3), Resolve("json-file", ("max-size", "1k"), ("max-file", "3")));
        Assert.Equal(new LogDrivers.Settings(false, 20 * 1024 * 1024, 5), Resolve("local"));
        Assert.Equal(new LogDrivers.Settings(false, 2_000_000, 2), Resolve("local", ("max-size", "2m"), ("max-file", "2")));
        Assert.Equal(new LogDrivers.Settings(true, null, null), Resolve("none", ("anything", "goes")));
        Assert.Equal(new LogDrivers.Settings(false, null, null), Resolve("json-file", ("tag", "x"), ("labels", "a"), ("mode", "non-blocking")));
    }

    [Fact]
    public void Errors_NameTheOption()
    {
        var e = Assert.Throws<CartonException>(() => Resolve("json-file", ("max-size", "1k"), ("max-file", "0")));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Equal("HostConfig.LogConfig.Config.max-file", e.JsonPath);
        e = Assert.Throws<CartonException>(() => Resolve("json-file", ("nope", "1")));
        Assert.Equal("HostConfig.LogConfig.Config.nope", e.JsonPath);
        e = Assert.Throws<CartonException>(() => Resolve("local", ("max-size", "abc")));
        Assert.Equal("failed to initialize logging driver: invalid value for max-size: abc: invalid size: 'abc'", e.Message);
        e = Assert.Throws<CartonException>(() => Resolve("nosuch"));
        Assert.Equal("HostConfig.LogConfig.Type", e.JsonPath);
        e = Assert.Throws<CartonException>(() => Resolve("json-file", ("max-size", "1k"), ("compress", "true")));
        Assert.Contains("compress cannot be true when max-file is less than 2", e.Message);
    }
}
