using System.Runtime.Versioning;

namespace Carton.Runtime.Tests;

[SupportedOSPlatform("linux")]
public sealed class StateStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "carton-store-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    [Fact]
    public void ReserveIsExclusive()
    {
        var store = new StateStore(_root);
        using var held = store.Reserve("c1");
        var e = Assert.Throws<ContainerExistsError>(() => store.Reserve("c1"));
        Assert.Equal("container with id \"c1\" already exists", e.Message);
    }

    [Fact]
    public void SaveLoadRoundTripsAndListsOnlyContainersWithState()
    {
        var store = new StateStore(_root);
        store.Reserve("b").Dispose();
        store.Reserve("a").Dispose();
        store.Reserve("half").Dispose(); // reserved but never saved: a create in progress
        var created = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        store.Save(new ContainerRecord { Id = "b", Pid = 42, Bundle = "/x", Created = created, CgroupPaths = { ["memory"] = "/sys/fs/cgroup/memory/b" } });
        store.Save(new ContainerRecord { Id = "a", Pid = 7 });
        var b = store.Load("b");
        Assert.Equal(42, b.Pid);
        Assert.Equal("/x", b.Bundle);
        Assert.Equal(created, b.Created);
        Assert.Equal("/sys/fs/cgroup/memory/b", b.CgroupPaths["memory"]);
        Assert.Equal(["a", "b"], store.Ids());
        Assert.Equal(["state.json"], Directory.EnumerateFileSystemEntries(Path.Combine(_root, "b")).Select(Path.GetFileName));
    }

    [Fact]
    public void LoadOfUnknownOrCorruptStateSaysWhich()
    {
        var store = new StateStore(_root);
        Assert.Equal("container \"nope\" does not exist", Assert.Throws<ContainerNotFoundError>(() => store.Load("nope")).Message);
        store.Reserve("bad").Dispose();
        File.WriteAllText(Path.Combine(_root, "bad", "state.json"), "{not json");
        var e = Assert.Throws<RuntimeError>(() => store.Load("bad"));
        Assert.Contains("state of container \"bad\" is corrupt", e.Message);
    }

    [Fact]
    public void LoadValidatesTheIdBeforeTouchingTheFilesystem()
    {
        var store = new StateStore(_root);
        Assert.Throws<RuntimeError>(() => store.Load("../etc"));
    }

    [Fact]
    public void LockSerializesConcurrentHolders()
    {
        var store = new StateStore(_root);
        store.Reserve("l").Dispose();
        var order = new List<string>();
        using (store.Lock("l"))
        {
            var t = new Thread(() => { using (store.Lock("l")) lock (order) order.Add("second"); });
            t.Start();
            Thread.Sleep(100);
            lock (order) order.Add("first");
        }
        Thread.Sleep(10);
        for (int i = 0; i < 100 && order.Count < 2; i++) Thread.Sleep(10);
        Assert.Equal(["first", "second"], order);
    }

    [Fact]
    public void RemoveDeletesTheDirectory()
    {
        var store = new StateStore(_root);
        store.Reserve("r").Dispose();
        store.Save(new ContainerRecord { Id = "r" });
        store.Remove("r");
        Assert.False(Directory.Exists(Path.Combine(_root, "r")));
        Assert.Empty(store.Ids());
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("abc\n")]
    [InlineData("a/b")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("")]
    [InlineData(".cache")]
    public void EveryPathBuilderAndOperationRefusesAnInvalidId(string id)
    {
        var store = new StateStore(_root);
        Directory.CreateDirectory(_root);
        var parent = Path.GetDirectoryName(_root)!;
        var before = Directory.EnumerateFileSystemEntries(parent).ToHashSet();
        var operations = new (string Name, Action Run)[]
        {
            ("DirOf", () => store.DirOf(id)),
            ("FifoOf", () => store.FifoOf(id)),
            ("StateFileOf", () => store.StateFileOf(id)),
            ("TempFileOf", () => store.TempFileOf(id)),
            ("Exists", () => store.Exists(id)),
            ("Load", () => store.Load(id)),
            ("Save", () => store.Save(new ContainerRecord { Id = id })),
            ("Reserve", () => store.Reserve(id).Dispose()),
            ("Lock", () => store.Lock(id).Dispose()),
            ("Remove", () => store.Remove(id)),
        };
        foreach (var (name, run) in operations)
        {
            var e = Record.Exception(run);
            Assert.True(e is RuntimeError && !(e is ContainerNotFoundError),
                $"{name}(\"{id.ReplaceLineEndings("\\n")}\") must refuse the id, got {e?.GetType().Name ?? "no error"}: {e?.Message}");
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
        Assert.True(Directory.EnumerateFileSystemEntries(parent).ToHashSet().SetEquals(before), "an entry appeared beside --root");
    }

    [Fact]
    public void IdsListsOnlyValidIdsWithState()
    {
        var store = new StateStore(_root);
        store.Reserve("ok").Dispose();
        store.Save(new ContainerRecord { Id = "ok" });
        // Directories no id can name: a dot directory (the seccomp cache) and a name with a trailing newline.
        foreach (var odd in new[] { ".cache", "odd\n" })
        {
            Directory.CreateDirectory(Path.Combine(_root, odd));
            File.WriteAllText(Path.Combine(_root, odd, "state.json"), "{}");
        }
        Assert.Equal(["ok"], store.Ids());
    }

    [Fact]
    public void TempNamesAreUniquePerWriterAndHiddenInTheContainerDirectory()
    {
        var store = new StateStore(_root);
        var names = Enumerable.Range(0, 100).Select(_ => store.TempFileOf("t")).ToHashSet();
        Assert.Equal(100, names.Count);
        foreach (var n in names)
        {
            Assert.Equal(Path.Combine(_root, "t"), Path.GetDirectoryName(n));
            Assert.StartsWith(".state.json.", Path.GetFileName(n), StringComparison.Ordinal);
            Assert.NotEqual("state.json", Path.GetFileName(n));
        }
    }

    /// <summary>
    /// Writers that share one temp name ("state.json.tmp") truncate and write each other's file and rename it away
    /// from under each other: a reader then sees a torn state.json, or a writer's rename finds no temp file.
    /// </summary>
    [Fact]
    public void ConcurrentSavesNeverProduceATornOrMissingStateFile()
    {
        var store = new StateStore(_root);
        store.Reserve("c").Dispose();
        store.Save(new ContainerRecord { Id = "c", Pid = 1, Bundle = new string('x', 20000) });
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 6).Select(w => new Thread(() =>
        {
            for (int i = 0; i < 150; i++)
            {
                // Different lengths, so a torn mix of two writes is not valid JSON.
                var record = new ContainerRecord { Id = "c", Pid = w * 1000 + i, Bundle = new string((char)('a' + w), 20000 + w * 3000 + i) };
                try { store.Save(record, durable: i % 10 == 0); }
                catch (Exception e) { errors.Enqueue($"writer {w}: {e.GetType().Name}: {e.Message}"); }
            }
        })).ToList();
        var reader = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var r = store.Load("c");
                    if (r.Bundle.Length < 20000 || r.Bundle.Any(ch => ch != r.Bundle[0])) errors.Enqueue($"reader: torn record (pid {r.Pid})");
                }
                catch (Exception e) { errors.Enqueue($"reader: {e.GetType().Name}: {e.Message}"); }
            }
        });
        reader.Start();
        writers.ForEach(t => t.Start());
        writers.ForEach(t => t.Join());
        stop.Cancel();
        reader.Join();
        Assert.True(errors.IsEmpty, string.Join("\n", errors.Take(10)));
        Assert.Equal(["state.json"], Directory.EnumerateFileSystemEntries(Path.Combine(_root, "c")).Select(Path.GetFileName));
        Assert.Equal("c", store.Load("c").Id);
    }

    [Fact]
    public void ALockWaitedForOnADeletedContainerSaysItDoesNotExist()
    {
        var store = new StateStore(_root);
        var held = store.Reserve("d");
        Exception? waiter = null;
        var t = new Thread(() =>
        {
            try { store.Lock("d").Dispose(); }
            catch (Exception e) { waiter = e; }
        });
        t.Start();
        Thread.Sleep(100);
        store.Remove("d");
        held.Dispose();
        t.Join();
        Assert.IsType<ContainerNotFoundError>(waiter);
        Assert.Throws<ContainerNotFoundError>(() => store.Lock("d"));
    }

    [Fact]
    public void ReserveHoldsTheLockUntilDisposed()
    {
        var store = new StateStore(_root);
        var reservation = store.Reserve("h");
        var got = new ManualResetEventSlim();
        var t = new Thread(() => { using (store.Lock("h")) got.Set(); });
        t.Start();
        Assert.False(got.Wait(150), "Lock must wait for the reservation");
        reservation.Dispose();
        Assert.True(got.Wait(5000));
        t.Join();
    }
    /// <summary>Issue 15, "a full disk": a state root that cannot take a record fails the save with ENOSPC naming the
    /// container and its state.json (not .NET's text with the temp file's name), and the record on disk stays the last
    /// one written, with no temp file beside it.</summary>
    [Fact]
    public void Save_OnAFullStateRoot_NamesTheContainerAndENOSPC_AndKeepsTheLastRecord()
    {
        Directory.CreateDirectory(_root);
        Run("mount", "-t", "tmpfs", "-o", "size=8k", "carton-full-state", _root);
        try
        {
            var store = new StateStore(_root);
            store.Reserve("c").Dispose();
            store.Save(new ContainerRecord { Id = "c", Pid = 1 });
            // Fill what is left (a tmpfs counts whole pages).
            try { File.WriteAllBytes(Path.Combine(_root, "fill"), new byte[64 << 10]); } catch (IOException) { }
            var big = new ContainerRecord { Id = "c", Pid = 2, Bundle = new string('x', 16 << 10) };
            var e = Assert.Throws<Carton.Linux.Interop.SyscallException>(() => store.Save(big));
            Assert.Equal(IoErrors.ENOSPC, e.Errno);
            Assert.Equal(ErrorKind.ResourceExhausted, e.Kind);
            Assert.Equal($"save state of container \"c\": write {Path.Combine(_root, "c", "state.json")}: no space left on device (ENOSPC)", e.Message);
            Assert.Equal(1, store.Load("c").Pid);
            Assert.Equal(["state.json"], Directory.EnumerateFileSystemEntries(Path.Combine(_root, "c")).Select(Path.GetFileName));
        }
        finally
        {
            Run("umount", _root);
        }
    }

    private static void Run(string file, params string[] args)
    {
        using var p = System.Diagnostics.Process.Start(file, args);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
    /// <summary>A remove goes through a hidden tombstone: a remover killed halfway leaves that (not a stateless
    /// directory at the id's path, which blocked the id: scripts/kill-daemon.sh), and the next remove sweeps the
    /// tombstones of dead removers while leaving a living remover's alone.</summary>
    [Fact]
    public void RemoveGoesThroughATombstoneThatTheNextRemoveSweeps()
    {
        var store = new StateStore(_root);
        store.Reserve("gone").Dispose();
        store.Save(new ContainerRecord { Id = "gone" });
        store.Reserve("next").Dispose();
        store.Save(new ContainerRecord { Id = "next" });
        // what a remover killed mid-delete left: pid 0 is nobody's; and one of this (living) process
        var dead = Path.Combine(_root, ".removed.0.1.00000000000000aa");
        Directory.CreateDirectory(dead);
        File.WriteAllText(Path.Combine(dead, "exec.fifo"), "");
        var self = ProcessInfo.Stat(Environment.ProcessId)!.Value.StartTime;
        var living = Path.Combine(_root, $".removed.{Environment.ProcessId}.{self}.00000000000000bb");
        Directory.CreateDirectory(living);
        Assert.Equal(["gone", "next"], store.Ids());

        store.Remove("gone");
        Assert.False(Directory.Exists(Path.Combine(_root, "gone")));
        Assert.False(Directory.Exists(dead));
        Assert.True(Directory.Exists(living));
        Assert.Equal(["next"], store.Ids());
        store.Reserve("gone").Dispose(); // the id is free again

        Directory.Delete(living);
        store.Remove("next");
        Assert.Equal(["gone"], Directory.EnumerateFileSystemEntries(_root).Select(Path.GetFileName));
    }
}
