namespace Carton.Images.Content;

/// <summary>
/// The store-wide reader/writer lock that keeps garbage collection from removing what an operation under way needs.
/// An operation that adds a reference (a pull or an import until its name is recorded, a tag, a system being created
/// from an image until its active snapshot is prepared) holds a shared lease; a prune or a repair holds it exclusive
/// while it marks and sweeps. Blobs written before the name exists are therefore never seen as garbage.
/// </summary>
/// <remarks>
/// <c>locks/gc.lock</c> is flock'd: .NET opens a file with FileShare.None as <c>flock(LOCK_EX|LOCK_NB)</c> and a
/// read-only open with FileShare.ReadWrite as <c>flock(LOCK_SH|LOCK_NB)</c> (see <see cref="StoreLock"/>), so the
/// lease works across processes (CLI, daemon), is dropped by the kernel when a holder dies, and <c>flock(1)</c> sees
/// it. A polled exclusive lock would starve behind overlapping pulls, so <c>locks/gc-turnstile.lock</c> is a
/// turnstile: a reader passes through it (takes and drops it) before taking its shared lock, and a writer holds it
/// while it waits, so no new reader slips in. A flow that already holds a lease on a root gets a no-op one (a
/// system's create holds one and pulls the image, which asks again): asking the turnstile again while a writer
/// waits for this flow's own shared lock would deadlock.
/// </remarks>
public sealed class StoreLease : IDisposable
{
    private static readonly AsyncLocal<HeldLease?> Held = new();
    private const int EWouldBlock = 11;

    private FileStream? _file;
    private readonly HeldLease? _held;

    private StoreLease(FileStream? file, HeldLease? held)
    {
        _file = file;
        _held = held;
    }

    /// <summary>True when this flow holds a lease on <paramref name="root"/>.</summary>
    public static bool IsHeld(string root) => Held.Value?.Root == Path.GetFullPath(root);

    /// <summary>A shared lease: garbage collection waits until it is disposed. Blocks while a collection runs. Tasks
    /// this flow starts inherit it (the flow's lease covers them), so start a collection from a flow that holds none.</summary>
    public static StoreLease Shared(string root, CancellationToken cancellationToken = default) => Take(root, exclusive: false, cancellationToken);

    /// <summary>The exclusive lease of a collection: waits for every shared lease to be released.</summary>
    public static StoreLease Exclusive(string root, CancellationToken cancellationToken = default) => Take(root, exclusive: true, cancellationToken);

    // Synchronous on purpose: an AsyncLocal set in a synchronous call is seen by the caller's flow afterwards; one
    // set inside an async method would be lost when it returns.
    private static StoreLease Take(string root, bool exclusive, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(root);
        if (Held.Value is { } held && held.Root == full)
        {
            if (exclusive && !held.Exclusive)
                throw new CartonException(ErrorKind.InvalidState, $"image store {full}: a collection cannot start while this operation holds a shared lease on the store");
            return new StoreLease(null, null);
        }
        var locks = Path.Combine(full, "locks");
        Directory.CreateDirectory(locks);
        var turnstile = Wait(() => StoreLock.TryAcquire(Path.Combine(locks, "gc-turnstile.lock")), cancellationToken);
        FileStream file;
        try { file = Wait(() => TryOpen(Path.Combine(locks, "gc.lock"), exclusive), cancellationToken); }
        finally { turnstile.Dispose(); }
        var lease = new StoreLease(file, new HeldLease(full, exclusive));
        Held.Value = lease._held;
        return lease;
    }

    private static FileStream? TryOpen(string path, bool exclusive)
    {
        try
        {
            return exclusive
                ? new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None)
                : new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
        }
        catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException)
                                    && (e.HResult == EWouldBlock || e.HResult == unchecked((int)0x80070020) || e.HResult == unchecked((int)0x80070021)))
        {
            return null;
        }
    }

    private static T Wait<T>(Func<T?> attempt, CancellationToken cancellationToken) where T : class
    {
        var delay = TimeSpan.FromMilliseconds(2);
        while (true)
        {
            if (attempt() is { } got) return got;
            cancellationToken.ThrowIfCancellationRequested();
            Thread.Sleep(delay);
            if (delay < TimeSpan.FromMilliseconds(100)) delay *= 2;
        }
    }

    public void Dispose()
    {
        var file = Interlocked.Exchange(ref _file, null);
        if (file is null) return;
        file.Dispose();
        if (ReferenceEquals(Held.Value, _held)) Held.Value = null;
    }

    private sealed record HeldLease(string Root, bool Exclusive);
}
