namespace Carton.Compute.Linux;

/// <summary>
/// Work that blocks its thread for its whole length (a container's creation: spawning, waiting for its monitor's
/// answer; a CNI attach: waiting for plugin processes) runs on a thread of its own, not on the thread pool. On a
/// small machine the pool starts with one thread per CPU and adds about two a second: fifty concurrent creates on
/// pool threads queued behind each other (and every continuation behind them), which looked like a lock
/// (docs/benchmarks.md, "Compute service").
/// </summary>
internal static class BlockingWork
{
    public static Task Run(Action work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);

    public static Task<T> Run<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
}
