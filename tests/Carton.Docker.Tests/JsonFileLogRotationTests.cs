using System.Text;

namespace Carton.Docker.Tests;

/// <summary>
/// <see cref="JsonFileLog"/> over a rotated log (path, path.1, path.2: the monitor's layout, made here by hand the
/// way the monitor renames): reads oldest first, the tail reaches back into rotated files, and a follower carries on
/// through renames and unlinks without losing or repeating a line.
/// </summary>
public sealed class JsonFileLogRotationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("carton-jsonlog-").FullName;
    private string Log => Path.Combine(_dir, "c-json.log");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Entry(int n) => $"{{\"log\":\"line-{n}\\n\",\"stream\":\"stdout\",\"time\":\"2026-01-01T00:00:{n % 60:00}.000000000Z\"}}\n";

    private static void Append(string path, params int[] numbers)
    {
        using var f = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        foreach (var n in numbers) f.Write(Encoding.UTF8.GetBytes(Entry(n)));
    }

    /// <summary>The monitor's rotation (RotatingLogFile.Shift, then a new file): path.(max-1) dropped, the rest shifted.</summary>
    private void Rotate(int maxFiles)
    {
        if (maxFiles < 2) File.Delete(Log);
        else
        {
            File.Delete($"{Log}.{maxFiles - 1}");
            for (int k = maxFiles - 2; k >= 0; k--)
            {
                var from = k == 0 ? Log : $"{Log}.{k}";
                if (File.Exists(from)) File.Move(from, $"{Log}.{k + 1}");
            }
        }
        File.WriteAllBytes(Log, []);
    }

    private static async Task<List<int>> ReadAsync(string path, JsonFileLog.Options options, Func<Task<bool>>? running = null)
    {
        var numbers = new List<int>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var e in JsonFileLog.ReadAsync(path, options, running ?? (() => Task.FromResult(false)), cts.Token))
            numbers.Add(int.Parse(e.Text.AsSpan(5, e.Text.Length - 6), System.Globalization.CultureInfo.InvariantCulture));
        return numbers;
    }

    [Fact]
    public async Task ReadsTheRotatedFilesOldestFirst_AndTheTailReachesIntoThem()
    {
        Append(Log, 1, 2, 3);
        Rotate(3);
        Append(Log, 4, 5, 6);
        Rotate(3);
        Append(Log, 7, 8);
        Assert.True(File.Exists(Log + ".2"));
        Assert.Equal(Enumerable.Range(1, 8), await ReadAsync(Log, new JsonFileLog.Options()));
        Assert.Equal(Enumerable.Range(4, 5), await ReadAsync(Log, new JsonFileLog.Options { Tail = 5 }));
        Assert.Empty(await ReadAsync(Log, new JsonFileLog.Options { Tail = 0 }));
        Rotate(3); // 1..3 dropped
        Assert.Equal(Enumerable.Range(4, 5), await ReadAsync(Log, new JsonFileLog.Options()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task AFollower_GoesOnThroughRotations_WithoutLosingALine(int maxFiles)
    {
        Append(Log, 1);
        int written = 1;
        bool done = false;
        var writer = Task.Run(async () =>
        {
            // several rotations between two looks of the follower (it sleeps 100 ms when it finds nothing new)
            for (int round = 0; round < 12; round++)
            {
                await Task.Delay(maxFiles == 1 ? 400 : 150);
                Append(Log, ++written, ++written);
                Rotate(maxFiles);
                Append(Log, ++written);
                if (maxFiles > 1 && round % 3 == 0) { Rotate(maxFiles); Append(Log, ++written); }
            }
            Volatile.Write(ref done, true);
        });
        var followed = await ReadAsync(Log, new JsonFileLog.Options { Follow = true }, () => Task.FromResult(!Volatile.Read(ref done)));
        await writer;
        Assert.Equal(Enumerable.Range(1, written), followed);
    }

    [Fact]
    public async Task AMark_KeepsItsPlace_WhenTheFileIsRotatedAway()
    {
        Append(Log, 1, 2);
        var mark = JsonFileLog.MarkEnd(Log);
        Append(Log, 3);
        Rotate(3);
        Append(Log, 4);
        Rotate(3);
        Append(Log, 5);
        Assert.Equal([3, 4, 5], await ReadAsync(Log, new JsonFileLog.Options { From = mark, Follow = true }));
    }
}
