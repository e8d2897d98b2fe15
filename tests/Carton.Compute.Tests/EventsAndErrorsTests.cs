using Carton.Compute.Linux;

namespace Carton.Compute.Tests;

public sealed class EventsAndErrorsTests : ComputeTestBase
{
    private static async Task<List<ComputeSystemEvent>> CollectUntil(IComputeSystem system, Func<ComputeSystemEvent, bool> last, Func<Task> act)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<ComputeSystemEvent>();
        var started = new TaskCompletionSource();
        var reader = Task.Run(async () =>
        {
            var e = system.EventsAsync(cts.Token).GetAsyncEnumerator(cts.Token);
            var first = e.MoveNextAsync();
            started.SetResult();
            try
            {
                if (!await first) return;
                do
                {
                    seen.Add(e.Current);
                    if (last(e.Current)) return;
                } while (await e.MoveNextAsync());
            }
            finally { await e.DisposeAsync(); }
        });
        await started.Task;
        await Task.Delay(50); // the subscription is made by the first MoveNextAsync
        await act();
        await reader;
        return seen;
    }

    [RootFact]
    public async Task Exit_event_carries_the_exit_code()
    {
        var id = NewId();
        var system = await Service.CreateComputeSystemAsync(id, Hcs(Sh("sleep 0.2; exit 5")));
        var events = await CollectUntil(system, e => e.Type == "exit", () => system.StartAsync());
        Assert.Contains(events, e => e.Type == "state" && e.State == "running");
        var exit = Assert.Single(events, e => e.Type == "exit");
        Assert.Equal((5, id), (exit.ExitCode, exit.Id));
        await system.DeleteAsync();
    }

    [RootFact]
    public async Task Oom_event_for_a_tiny_memory_limit()
    {
        var id = NewId();
        var system = await Service.CreateComputeSystemAsync(id,
            Hcs(Sh("sleep 0.2; head -c 400m /dev/zero | tail"), c => c.Memory = new HcsMemory { SizeInMB = 64 }));
        var events = await CollectUntil(system, e => e.Type == "exit", () => system.StartAsync());
        Assert.Contains(events, e => e.Type == "oom");
        await system.DeleteAsync();
    }

    [RootFact]
    public async Task Typed_errors()
    {
        await Assert.ThrowsAsync<ComputeSystemNotFoundException>(() => Service.OpenComputeSystemAsync("ct-does-not-exist"));
        await Assert.ThrowsAsync<InvalidComputeSystemIdException>(() => Service.OpenComputeSystemAsync("../etc"));
        // The scratch root is ".scratch" under the state root: a name no id can take (ids never start with '.').
        Assert.Equal(".scratch", Path.GetFileName(Service.ScratchRoot));
        await Assert.ThrowsAsync<InvalidComputeSystemIdException>(() => Service.CreateComputeSystemAsync(".scratch", Hcs()));

        var bad = Hcs(edit: c => c.Storage.Layers.Add(new HcsLayer { Path = "/nonexistent/layer" }));
        var e = await Assert.ThrowsAsync<InvalidComputeDocumentException>(() => Service.CreateComputeSystemAsync(NewId(), bad));
        Assert.Equal("Container.Storage.Layers[1].Path", e.JsonPath);

        var spec = OciSpec(Layers.Base, "true");
        spec.Process!.Args = [];
        var oe = await Assert.ThrowsAsync<InvalidComputeDocumentException>(() =>
            Service.CreateComputeSystemAsync(NewId(), new ComputeSystemDocument { Oci = new OciSystemDocument { Spec = spec } }));
        Assert.Equal("process.args", oe.JsonPath);
        await Assert.ThrowsAsync<InvalidComputeDocumentException>(() => Service.CreateComputeSystemAsync(NewId(), new ComputeSystemDocument()));

        var id = NewId();
        var system = await Service.CreateComputeSystemAsync(id, Hcs(Sh("exit 0")));
        await Assert.ThrowsAsync<ComputeSystemAlreadyExistsException>(() => Service.CreateComputeSystemAsync(id, Hcs()));
        await Assert.ThrowsAsync<InvalidComputeSystemStateException>(() => system.ResumeAsync());
        await Assert.ThrowsAsync<InvalidComputeSystemStateException>(() => system.CreateProcessAsync(Sh("true")));
        await system.StartAsync();
        Assert.Equal(0, await Within(system.WaitForExitAsync()));
        var pe = await Assert.ThrowsAsync<InvalidComputeSystemStateException>(() => system.PauseAsync());
        Assert.Equal("InvalidState", pe.Code);
        // a stopped system starts again (InitIoTests); a running one cannot be started
        var running = await StartIdleAsync(NewId());
        await Assert.ThrowsAsync<InvalidComputeSystemStateException>(() => running.StartAsync());
        await running.DeleteAsync();
        await system.DeleteAsync();
        await Assert.ThrowsAsync<ComputeSystemNotFoundException>(() => system.StartAsync());
        await Assert.ThrowsAsync<ComputeSystemNotFoundException>(() => system.DeleteAsync());
    }

    [RootFact]
    public async Task A_failed_create_leaves_nothing_behind()
    {
        var id = NewId();
        var e = await Assert.ThrowsAsync<ComputeException>(() =>
            Service.CreateComputeSystemAsync(id, Hcs(new ProcessParameters { CommandArgs = ["/no/such/program"] })));
        Assert.Contains("/no/such/program", e.Message);
        Assert.False(Directory.Exists(Path.Combine(Service.ScratchRoot, id)));
        await Assert.ThrowsAsync<ComputeSystemNotFoundException>(() => Service.OpenComputeSystemAsync(id));
        // The id is free again.
        var system = await Service.CreateComputeSystemAsync(id, Hcs());
        await system.DeleteAsync();
    }

    [RootFact]
    public async Task Concurrent_operations_serialize()
    {
        var id = NewId();
        // Concurrent creates of one id: exactly one wins.
        var creates = Enumerable.Range(0, 4).Select(_ => Task.Run(() => Service.CreateComputeSystemAsync(id, Hcs()))).ToList();
        try { await Task.WhenAll(creates); } catch (ComputeSystemAlreadyExistsException) { }
        Assert.Equal(1, creates.Count(t => t.IsCompletedSuccessfully));
        Assert.All(creates.Where(t => !t.IsCompletedSuccessfully), t => Assert.IsType<ComputeSystemAlreadyExistsException>(t.Exception!.InnerException));
        var system = creates.Single(t => t.IsCompletedSuccessfully).Result;

        // Starts and deletes racing: each either works or fails with a typed error, and the end state is clean.
        var starts = new List<Task>();
        var deletes = new List<Task>();
        var reads = new List<Task>();
        for (int i = 0; i < 6; i++)
        {
            starts.Add(Task.Run(() => system.StartAsync()));
            reads.Add(Task.Run(async () => await (await Service.OpenComputeSystemAsync(id)).GetPropertiesAsync()));
            if (i % 2 == 1) deletes.Add(Task.Run(() => system.DeleteAsync()));
        }
        var all = starts.Concat(deletes).Concat(reads).ToList();
        try { await Task.WhenAll(all); } catch (ComputeException) { }
        foreach (var t in all.Where(t => t.IsFaulted))
            Assert.True(t.Exception!.InnerException is ComputeSystemNotFoundException or InvalidComputeSystemStateException,
                t.Exception.InnerException!.ToString());
        Assert.Equal(1, deletes.Count(t => t.IsCompletedSuccessfully));
        Assert.True(starts.Count(t => t.IsCompletedSuccessfully) <= 1);
        await Assert.ThrowsAsync<ComputeSystemNotFoundException>(() => Service.OpenComputeSystemAsync(id));
    }
}
