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
        store.Reserve("c1");
        var e = Assert.Throws<ContainerExistsError>(() => store.Reserve("c1"));
        Assert.Equal("container with id \"c1\" already exists", e.Message);
    }

    [Fact]
    public void SaveLoadRoundTripsAndListsOnlyContainersWithState()
    {
        var store = new StateStore(_root);
        store.Reserve("b");
        store.Reserve("a");
        store.Reserve("half"); // reserved but never saved: a create in progress
        var created = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        store.Save(new ContainerRecord { Id = "b", Pid = 42, Bundle = "/x", Created = created, CgroupPaths = { ["memory"] = "/sys/fs/cgroup/memory/b" } });
        store.Save(new ContainerRecord { Id = "a", Pid = 7 });
        var b = store.Load("b");
        Assert.Equal(42, b.Pid);
        Assert.Equal("/x", b.Bundle);
        Assert.Equal(created, b.Created);
        Assert.Equal("/sys/fs/cgroup/memory/b", b.CgroupPaths["memory"]);
        Assert.Equal(["a", "b"], store.Ids());
        Assert.False(File.Exists(Path.Combine(_root, "b", "state.json.tmp")));
    }

    [Fact]
    public void LoadOfUnknownOrCorruptStateSaysWhich()
    {
        var store = new StateStore(_root);
        Assert.Equal("container \"nope\" does not exist", Assert.Throws<ContainerNotFoundError>(() => store.Load("nope")).Message);
        store.Reserve("bad");
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
        store.Reserve("l");
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
        store.Reserve("r");
        store.Save(new ContainerRecord { Id = "r" });
        store.Remove("r");
        Assert.False(Directory.Exists(Path.Combine(_root, "r")));
        Assert.Empty(store.Ids());
    }
}
