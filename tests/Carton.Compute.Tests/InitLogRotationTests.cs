using System.Text;
using System.Text.Json;
using Carton.Compute.Linux;

namespace Carton.Compute.Tests;

/// <summary>
/// initIo's log rotation (logMaxSize, logMaxFiles) and noLog: <see cref="RotatingLogFile"/>'s arithmetic on its own,
/// the monitor rotating a real init's output, and the document's checks naming the field.
/// </summary>
public sealed class InitLogRotationTests : ComputeTestBase
{
    private static byte[] Entry(int n) => Encoding.UTF8.GetBytes($"entry-{n:000}\n"); // 10 bytes

    [Fact]
    public void Rotation_KeepsMaxFilesFiles_EachOfWholeEntries_PassingMaxSizeByLessThanOneEntry()
    {
        var dir = Directory.CreateTempSubdirectory("carton-rotate-").FullName;
        try
        {
            var path = Path.Combine(dir, "log");
            using (var log = new RotatingLogFile(path, maxSize: 25, maxFiles: 3))
                for (int i = 1; i <= 20; i++) log.Write(Entry(i));
            // 25 bytes is reached after 3 entries (30 bytes): rotation before the 4th; files of 3 entries each
            Assert.Equal([path, path + ".1", path + ".2"], Directory.GetFiles(dir).Order());
            Assert.Equal("entry-019\nentry-020\n", File.ReadAllText(path));
            Assert.Equal("entry-016\nentry-017\nentry-018\n", File.ReadAllText(path + ".1"));
            Assert.Equal("entry-013\nentry-014\nentry-015\n", File.ReadAllText(path + ".2"));

            // a restart appends to what is there and counts it: one more entry fills the file, the next rotates
            using (var log = new RotatingLogFile(path, maxSize: 25, maxFiles: 3))
            {
                log.Write(Entry(21));
                log.Write(Entry(22));
            }
            Assert.Equal("entry-022\n", File.ReadAllText(path));
            Assert.Equal("entry-019\nentry-020\nentry-021\n", File.ReadAllText(path + ".1"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void OneFile_IsReplaced_AndAReaderOfTheOldOneFinishesIt()
    {
        var dir = Directory.CreateTempSubdirectory("carton-rotate-").FullName;
        try
        {
            var path = Path.Combine(dir, "log");
            using var log = new RotatingLogFile(path, maxSize: 15, maxFiles: 1);
            log.Write(Entry(1));
            log.Write(Entry(2));
            using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            log.Write(Entry(3));
            Assert.Equal([path], Directory.GetFiles(dir));
            Assert.Equal("entry-003\n", File.ReadAllText(path));
            // unlinked, not truncated: the open file still holds what it had
            Assert.Equal("entry-001\nentry-002\n", new StreamReader(reader).ReadToEnd());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void NoMaxSize_NeverRotates()
    {
        var dir = Directory.CreateTempSubdirectory("carton-rotate-").FullName;
        try
        {
            var path = Path.Combine(dir, "log");
            using (var log = new RotatingLogFile(path, maxSize: 0, maxFiles: 1))
                for (int i = 1; i <= 100; i++) log.Write(Entry(i));
            Assert.Equal([path], Directory.GetFiles(dir));
            Assert.Equal(1000, new FileInfo(path).Length);
        }
        finally { Directory.Delete(dir, true); }
    }

    [RootFact]
    public async Task TheMonitor_RotatesTheInitsLog()
    {
        var id = NewId();
        var logPath = Path.Combine(Service.ScratchRoot, "..", id + "-rot.log");
        logPath = Path.GetFullPath(logPath);
        try
        {
            var doc = Hcs(Sh("i=1; while [ $i -le 200 ]; do echo line-$i; i=$((i+1)); done"));
            doc.InitIo = new InitIo { LogPath = logPath, LogMaxSize = 1000, LogMaxFiles = 2 };
            var system = await Service.CreateComputeSystemAsync(id, doc);
            await system.StartAsync();
            Assert.Equal(0, await system.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(logPath, (await system.GetPropertiesAsync()).InitLogPath);
            Assert.True(File.Exists(logPath + ".1"));
            Assert.False(File.Exists(logPath + ".2"));
            var lines = File.ReadAllLines(logPath + ".1").Concat(File.ReadAllLines(logPath))
                .Select(l => { using var j = JsonDocument.Parse(l); return j.RootElement.GetProperty("log").GetString()!; }).ToList();
            Assert.Equal("line-200\n", lines[^1]);
            for (int i = 1; i < lines.Count; i++)
                Assert.Equal($"line-{int.Parse(lines[i - 1].AsSpan(5, lines[i - 1].Length - 6), System.Globalization.CultureInfo.InvariantCulture) + 1}\n", lines[i]);
            Assert.True(new FileInfo(logPath + ".1").Length < 1100);
            await system.DeleteAsync();
        }
        finally
        {
            File.Delete(logPath);
            File.Delete(logPath + ".1");
        }
    }

    [RootFact]
    public async Task NoLog_KeepsNoFile_ButAttachStillRelays()
    {
        var id = NewId();
        var doc = Hcs(Sh("echo hello"));
        doc.InitIo = new InitIo { NoLog = true };
        var system = await Service.CreateComputeSystemAsync(id, doc);
        var props = await system.GetPropertiesAsync();
        Assert.Null(props.InitLogPath);
        using var attach = await InitAttach.ConnectAsync(props.InitAttachSocket!);
        await system.StartAsync();
        var buffer = new byte[InitAttach.MaxPayload + 1];
        var text = new StringBuilder();
        while (true)
        {
            var (_, n) = await attach.ReceiveAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            if (n == 0) break;
            text.Append(Encoding.UTF8.GetString(buffer, 1, n));
        }
        Assert.Equal("hello\n", text.ToString());
        Assert.Equal(0, await system.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.False(File.Exists(Path.Combine(Service.ScratchRoot, id, "init.log")));
        await system.DeleteAsync();
    }

    [RootFact]
    public async Task BadRotationSettings_AreRefused_NamingTheField()
    {
        async Task<string> Refused(InitIo io)
        {
            var doc = Hcs(Sh("true"));
            doc.InitIo = io;
            var e = await Assert.ThrowsAsync<InvalidComputeDocumentException>(() => Service.CreateComputeSystemAsync(NewId(), doc));
            return e.JsonPath;
        }
        Assert.Equal("initIo.logMaxSize", await Refused(new InitIo { LogMaxSize = 0 }));
        Assert.Equal("initIo.logMaxFiles", await Refused(new InitIo { LogMaxSize = 10, LogMaxFiles = 0 }));
        Assert.Equal("initIo.logMaxFiles", await Refused(new InitIo { LogMaxFiles = 2 }));
        Assert.Equal("initIo.logPath", await Refused(new InitIo { NoLog = true, LogPath = "/tmp/x.log" }));
        Assert.Equal("initIo.logMaxSize", await Refused(new InitIo { NoLog = true, LogMaxSize = 10 }));
    }
}
