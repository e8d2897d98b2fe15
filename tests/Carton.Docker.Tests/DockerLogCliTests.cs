using System.Text.Json;

namespace Carton.Docker.Tests;

/// <summary>
/// Issue 17 §8, container logs through the real docker CLIs: json-file rotation with `--log-opt max-size/max-file`
/// (the files on disk, `docker logs` and `--tail` across them, `logs -f` through several rotations), the `local` and
/// `none` drivers, LogConfig in inspect, and bad options refused in dockerd's words with no container left.
/// </summary>
[Collection("docker")]
public sealed class DockerLogCliTests(DockerFixture fixture) : DockerCliTestBase(fixture)
{
    /// <summary>A shell loop printing line-1 .. line-N (with an optional pause between lines, in microseconds).</summary>
    private static string Numbered(int count, int pauseMicroseconds = 0) =>
        $"i=1; while [ $i -le {count} ]; do echo line-$i; {(pauseMicroseconds > 0 ? $"usleep {pauseMicroseconds}; " : "")}i=$((i+1)); done";

    /// <summary>The numbers of the "line-N" lines, in the order given.</summary>
    private static List<int> Numbers(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => int.Parse(l.AsSpan("line-".Length), System.Globalization.CultureInfo.InvariantCulture))];

    private static void AssertConsecutive(List<int> numbers, int last)
    {
        Assert.NotEmpty(numbers);
        Assert.Equal(last, numbers[^1]);
        for (int i = 1; i < numbers.Count; i++)
            Assert.True(numbers[i] == numbers[i - 1] + 1, $"line-{numbers[i]} after line-{numbers[i - 1]}: a gap or a repeat");
    }

    /// <summary>The log's files (the log and its rotated ones) beside the path inspect gives.</summary>
    private static string[] LogFiles(string logPath) =>
        [.. Directory.GetFiles(Path.GetDirectoryName(logPath)!, Path.GetFileName(logPath) + "*").Order()];

    [DockerTheory, CliData(Debian), CliData(New)]
    public void MaxSizeAndMaxFile_RotateTheLog_AndLogsReadsTheNewestLinesAcrossTheFiles(string cli)
    {
        var name = Unique("logrot");
        try
        {
            Ok(cli, "run", "-d", "--name", name, "--log-opt", "max-size=1k", "--log-opt", "max-file=3", Image(), "sh", "-c", Numbered(400));
            Assert.Equal("0", Ok(cli, "wait", name).Trim());

            var logPath = Ok(cli, "inspect", "--format", "{{.LogPath}}", name).Trim();
            var files = LogFiles(logPath);
            Assert.Equal([logPath, logPath + ".1", logPath + ".2"], files);
            foreach (var file in files)
            {
                var lines = File.ReadAllLines(file);
                var longest = lines.Max(l => l.Length + 1);
                // rotated once it has reached 1000 bytes (go-units: k is 1000): at most one entry past it
                Assert.True(new FileInfo(file).Length < 1000 + longest, $"{file}: {new FileInfo(file).Length} bytes");
                Assert.All(lines, l => JsonDocument.Parse(l).Dispose()); // whole entries only: none split across files
            }

            var all = Numbers(Ok(cli, "logs", name));
            AssertConsecutive(all, 400);
            Assert.True(all[0] > 1, "the oldest lines went with the rotated-out files");
            var onDisk = files.Sum(f => File.ReadAllLines(f).Length);
            Assert.Equal(onDisk, all.Count);
            // the newest file alone holds fewer than the tail asked for: --tail reads back into the rotated ones
            Assert.True(File.ReadAllLines(logPath).Length < 20, "the current file's lines");
            Assert.Equal(Enumerable.Range(381, 20), Numbers(Ok(cli, "logs", "--tail", "20", name)));

            var inspect = Ok(cli, "inspect", "--format", "{{json .HostConfig.LogConfig}}", name).Trim();
            using var doc = JsonDocument.Parse(inspect);
            Assert.Equal("json-file", doc.RootElement.GetProperty("Type").GetString());
            Assert.Equal("1k", doc.RootElement.GetProperty("Config").GetProperty("max-size").GetString());
            Assert.Equal("3", doc.RootElement.GetProperty("Config").GetProperty("max-file").GetString());
        }
        finally { Remove(name); }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void LogsFollow_ThroughSeveralRotations_MissesNoLine(string cli)
    {
        var name = Unique("logfollow");
        try
        {
            // about 14 entries fill a 1k file: 300 lines rotate some 20 times while the follower reads
            Ok(cli, "run", "-d", "--name", name, "--log-opt", "max-size=1k", "--log-opt", "max-file=3", Image(), "sh", "-c", "sleep 1; " + Numbered(300, 5000));
            var followed = Ok(cli, "logs", "-f", name);
            var numbers = Numbers(followed);
            Assert.Equal(Enumerable.Range(1, 300), numbers);
            var logPath = Ok(cli, "inspect", "--format", "{{.LogPath}}", name).Trim();
            Assert.Equal(3, LogFiles(logPath).Length);
        }
        finally { Remove(name); }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void NoneDriver_LogsRefusedAsDockerd_TheContainerRunsAndAttachStillRelays(string cli)
    {
        var name = Unique("lognone");
        try
        {
            // attached (docker run without -d): the output comes through attach, which needs no log
            Assert.Equal("hello\n", Ok(cli, "run", "--name", name, "--log-driver", "none", Image(), "echo", "hello"));
            var logs = fx.Docker(cli, "logs", name);
            Assert.NotEqual(0, logs.Exit);
            Assert.Contains("configured logging driver does not support reading", logs.Err);
            Assert.Equal("none  ", Ok(cli, "inspect", "--format", "{{.HostConfig.LogConfig.Type}} {{.LogPath}} ", name).TrimEnd('\n'));
            Remove(name);

            Ok(cli, "run", "-d", "--name", name, "--log-driver", "none", Image(), "sh", "-c", "echo hi; sleep 300");
            Assert.Equal("running", Status(cli, name));
            Assert.Contains("configured logging driver does not support reading", fx.Docker(cli, "logs", name).Err);
        }
        finally { Remove(name); }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void LocalDriver_LogsWork_AndInspectShowsIt(string cli)
    {
        var name = Unique("loglocal");
        try
        {
            Ok(cli, "run", "-d", "--name", name, "--log-driver", "local", Image(), "sh", "-c", Numbered(50) + "; echo err >&2");
            Assert.Equal("0", Ok(cli, "wait", name).Trim());
            var r = fx.Docker(cli, "logs", name);
            Assert.Equal(0, r.Exit);
            Assert.Equal(Enumerable.Range(1, 50), Numbers(r.Out));
            Assert.Equal("err\n", r.Err);
            Assert.Equal("local", Ok(cli, "inspect", "--format", "{{.HostConfig.LogConfig.Type}}", name).Trim());
            // with a rotation of its own: 100-byte files, 2 of them, read back across both
            var small = name + "-small";
            try
            {
                Ok(cli, "run", "-d", "--name", small, "--log-driver", "local", "--log-opt", "max-size=100", "--log-opt", "max-file=2", "--log-opt", "compress=false", Image(), "sh", "-c", Numbered(20));
                Assert.Equal("0", Ok(cli, "wait", small).Trim());
                var lines = Numbers(Ok(cli, "logs", small));
                AssertConsecutive(lines, 20);
                Assert.True(lines.Count < 20, "rotated: the first lines are gone");
            }
            finally { Remove(small); }
        }
        finally { Remove(name); }
    }

    [DockerFact]
    public void DefaultLogConfig_InInspect_IsJsonFileWithAnEmptyConfig()
    {
        var name = Unique("logdefault");
        try
        {
            Ok(Debian, "create", "--name", name, Image(), "true");
            Assert.Equal("{\"Type\":\"json-file\",\"Config\":{}}", Ok(Debian, "inspect", "--format", "{{json .HostConfig.LogConfig}}", name).Trim());
        }
        finally { Remove(name); }
    }

    [DockerTheory]
    [InlineData(new[] { "--log-opt", "max-size=abc" }, "invalid size: 'abc'")]
    [InlineData(new[] { "--log-opt", "max-size=10x" }, "invalid suffix: 'x'")]
    [InlineData(new[] { "--log-opt", "max-size=1k", "--log-opt", "max-file=0" }, "max-file cannot be less than 1")]
    [InlineData(new[] { "--log-opt", "max-file=x" }, "strconv.Atoi: parsing \"x\": invalid syntax")]
    [InlineData(new[] { "--log-opt", "max-size=0" }, "max-size must be a positive number")]
    [InlineData(new[] { "--log-opt", "foo=bar" }, "unknown log opt 'foo' for json-file log driver")]
    [InlineData(new[] { "--log-driver", "local", "--log-opt", "foo=bar" }, "unknown log opt 'foo' for log driver local")]
    [InlineData(new[] { "--log-driver", "local", "--log-opt", "max-file=1" }, "compression cannot be enabled when max file count is 1")]
    [InlineData(new[] { "--log-driver", "bogus" }, "logger: no log driver named 'bogus' is registered")]
    [InlineData(new[] { "--log-driver", "syslog" }, "log driver 'syslog' is not supported by carton")]
    public void BadLogOptions_AreRefusedNamingThem_AndLeaveNoContainer(string[] options, string message)
    {
        var name = Unique("logbad");
        try
        {
            var r = fx.Docker(Debian, ["run", "-d", "--name", name, .. options, Image(), "true"]);
            Assert.NotEqual(0, r.Exit);
            Assert.Contains(message, r.Err);
            Assert.Empty(AllNames(Debian, name));
        }
        finally { Remove(name); }
    }
}
