namespace Carton.Images.Content;

/// <summary>
/// One blob being written into the <see cref="ContentStore"/>, under its digest's lock. Bytes go to the partial file
/// and into the hash as they arrive; <see cref="CommitAsync"/> fsyncs, checks size and digest, and renames the file
/// into blobs/. Disposing an uncommitted session deletes the partial file, so a failed ingest leaves nothing behind.
/// </summary>
public sealed class IngestSession : IAsyncDisposable
{
    private readonly ContentStore _store;
    private readonly StoreLock _lock;
    private readonly string _partialPath;
    private FileStream? _file;
    private System.Security.Cryptography.IncrementalHash? _hash;
    private bool _committed;

    private IngestSession(ContentStore store, Digest expected, long? expectedSize, StoreLock storeLock, bool exists)
    {
        _store = store;
        _lock = storeLock;
        Expected = expected;
        ExpectedSize = expectedSize;
        Exists = exists;
        _partialPath = store.PartialPathFor(expected);
    }

    /// <summary>The digest the content must have.</summary>
    public Digest Expected { get; }

    /// <summary>The size the content must have, when known (a descriptor's size).</summary>
    public long? ExpectedSize { get; }

    /// <summary>The store already holds the blob: write nothing.</summary>
    public bool Exists { get; }

    /// <summary>Bytes written so far (a resumed session starts with those a killed writer or an earlier attempt left).</summary>
    public long Offset { get; private set; }

    internal static IngestSession Open(ContentStore store, Digest expected, long? expectedSize, StoreLock storeLock)
    {
        if (store.Has(expected)) return new IngestSession(store, expected, expectedSize, storeLock, exists: true);
        var session = new IngestSession(store, expected, expectedSize, storeLock, exists: false);
        session.OpenPartial();
        return session;
    }

    private void OpenPartial()
    {
        Directory.CreateDirectory(_store.IngestDirectory);
        _file = new FileStream(_partialPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        _hash = Expected.NewHash();
        // What is already there was written under this same lock by an earlier writer: hash it and go on from its end,
        // unless it is already longer than the blob can be.
        if (ExpectedSize is { } size && _file.Length > size)
        {
            _file.SetLength(0);
        }
        var buffer = new byte[1 << 16];
        int n;
        _file.Position = 0;
        while ((n = _file.Read(buffer)) > 0) _hash.AppendData(buffer, 0, n);
        Offset = _file.Length;
    }

    /// <summary>Discards what was written (a server that ignored a Range request sends the blob from its start).</summary>
    public void Restart()
    {
        EnsureWritable();
        _file!.SetLength(0);
        _file.Position = 0;
        _hash!.Dispose();
        _hash = Expected.NewHash();
        Offset = 0;
    }

    /// <summary>Appends <paramref name="data"/>; more bytes than <see cref="ExpectedSize"/> is an error naming the blob.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        if (ExpectedSize is { } size && Offset + data.Length > size)
            throw new CartonException(ErrorKind.InvalidDocument,
                $"blob {Expected}: more than the {size} bytes its descriptor declares", jsonPath: "size", reason: $"content is larger than {size} bytes");
        _hash!.AppendData(data.Span);
        await _file!.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        Offset += data.Length;
    }

    /// <summary>
    /// Makes the blob visible: fsync, check the size and the digest, rename into blobs/. A mismatch deletes the
    /// partial file and throws InvalidDocument naming the expected and the actual digest.
    /// </summary>
    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        await _file!.FlushAsync(cancellationToken).ConfigureAwait(false);
        _file.Flush(flushToDisk: true);
        var actual = Expected.From(_hash!);
        var length = Offset;
        await _file.DisposeAsync().ConfigureAwait(false);
        _file = null;
        if (ExpectedSize is { } size && length != size)
        {
            AtomicFile.TryDelete(_partialPath);
            throw new CartonException(ErrorKind.InvalidDocument,
                $"blob {Expected}: {length} bytes, but its descriptor declares {size}", jsonPath: "size", reason: $"content is {length} bytes, not {size}");
        }
        if (actual != Expected)
        {
            AtomicFile.TryDelete(_partialPath);
            throw new CartonException(ErrorKind.InvalidDocument,
                $"blob {Expected}: digest mismatch: the content's digest is {actual}", jsonPath: "digest", reason: $"content digest is {actual}");
        }
        var target = _store.BlobPath(Expected);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(_partialPath, target, overwrite: true);
        _committed = true;
    }

    private void EnsureWritable()
    {
        if (Exists) throw new InvalidOperationException($"blob {Expected} is already in the store");
        if (_file is null) throw new InvalidOperationException($"ingest of {Expected} is finished");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Closing flushes FileStream's buffer, which fails on a full disk with the same ENOSPC the write that is
            // being unwound already reported: that second error must neither replace the first (the caller's message
            // names the image and blob) nor skip the deletion of the partial file and the release of the lock. The
            // handle is closed either way.
            if (_file is not null) await _file.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException) when (!_committed) { }
        finally
        {
            _file = null;
            _hash?.Dispose();
            if (!_committed && !Exists) AtomicFile.TryDelete(_partialPath);
            _lock.Dispose();
        }
    }
}
