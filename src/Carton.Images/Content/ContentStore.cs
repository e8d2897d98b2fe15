using Microsoft.Win32.SafeHandles;
using System.Security.Cryptography;

namespace Carton.Images.Content;

/// <summary>
/// Blobs by digest under a root directory, in the OCI image layout's own shape (image-spec image-layout.md, "blobs"):
/// <c>&lt;root&gt;/blobs/&lt;alg&gt;/&lt;hex&gt;</c>. Nothing becomes visible there unverified: every ingest writes
/// <c>&lt;root&gt;/ingest/&lt;alg&gt;-&lt;hex&gt;.partial</c>, fsyncs it, checks its size and digest, and renames
/// it into place; a failed ingest deletes its partial file. One writer per digest at a time, across processes
/// (<see cref="StoreLock"/>), so two pulls of one blob download it once.
/// </summary>
public sealed class ContentStore
{
    public ContentStore(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The store's root directory.</summary>
    public string Root { get; }

    /// <summary>Where partial blobs are written before they are verified.</summary>
    public string IngestDirectory => Path.Combine(Root, "ingest");

    /// <summary>The lock files (never deleted; see <see cref="StoreLock"/>).</summary>
    public string LocksDirectory => Path.Combine(Root, "locks");

    /// <summary>The path of <paramref name="digest"/>'s blob, whether or not it is there.</summary>
    public string BlobPath(Digest digest) => Path.Combine(Root, "blobs", digest.Algorithm, digest.Encoded);

    /// <summary>True when the store holds <paramref name="digest"/>.</summary>
    public bool Has(Digest digest) => File.Exists(BlobPath(digest));

    /// <summary>The size of a stored blob, or null when the store does not hold it.</summary>
    public long? SizeOf(Digest digest)
    {
        var info = new FileInfo(BlobPath(digest));
        return info.Exists ? info.Length : null;
    }

    /// <summary>Opens a stored blob for reading; NotFound when the store does not hold it.</summary>
    public FileStream Open(Digest digest)
    {
        try
        {
            return new FileStream(BlobPath(digest), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CartonException(ErrorKind.NotFound, $"blob {digest}: not in the content store {Root}", e);
        }
    }

    /// <summary>A stored blob's bytes, refusing blobs over <paramref name="maxSize"/> (manifests and configs are small).</summary>
    public byte[] ReadAllBytes(Digest digest, long maxSize = 16 << 20)
    {
        // A bare handle and positional reads, not Open's FileStream: no 64 KiB buffer and no flock per document, which
        // for `image ls` over 500 images was a third of its time (page faults of 32 MB of buffers; bench/image-ls.sh)
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(BlobPath(digest), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CartonException(ErrorKind.NotFound, $"blob {digest}: not in the content store {Root}", e);
        }
        using (handle)
        {
            var length = RandomAccess.GetLength(handle);
            if (length > maxSize)
                throw new CartonException(ErrorKind.InvalidDocument, $"blob {digest}: {length} bytes, more than the {maxSize} allowed for a document");
            var bytes = new byte[length];
            int read = 0, n;
            while (read < bytes.Length && (n = RandomAccess.Read(handle, bytes.AsSpan(read), read)) > 0) read += n;
            if (read != bytes.Length)
                throw new CartonException(ErrorKind.InvalidDocument, $"blob {digest}: shorter than its {length} bytes (changed while read)");
            return bytes;
        }
    }

    /// <summary>Every blob the store holds (names only: <see cref="Verify"/> checks contents).</summary>
    public IEnumerable<Digest> List()
    {
        var blobs = Path.Combine(Root, "blobs");
        if (!Directory.Exists(blobs)) yield break;
        foreach (var algDir in Directory.EnumerateDirectories(blobs))
            foreach (var file in Directory.EnumerateFiles(algDir))
                if (Digest.TryParse($"{Path.GetFileName(algDir)}:{Path.GetFileName(file)}", out var d))
                    yield return d;
    }

    /// <summary>Every file under blobs/ whose content does not hash to its name (an fsck; empty when the store is sound).</summary>
    public IReadOnlyList<string> Verify()
    {
        var bad = new List<string>();
        var blobs = Path.Combine(Root, "blobs");
        if (!Directory.Exists(blobs)) return bad;
        foreach (var file in Directory.EnumerateFiles(blobs, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(blobs, file);
            var parts = rel.Split(Path.DirectorySeparatorChar);
            if (parts.Length != 2 || !Digest.TryParse($"{parts[0]}:{parts[1]}", out var d))
            {
                bad.Add(file);
                continue;
            }
            using var stream = File.OpenRead(file);
            using var hash = d.NewHash();
            var buffer = new byte[1 << 16];
            int n;
            while ((n = stream.Read(buffer)) > 0) hash.AppendData(buffer, 0, n);
            if (d.From(hash) != d) bad.Add(file);
        }
        return bad;
    }

    /// <summary>
    /// Starts writing <paramref name="expected"/>: waits for its lock, then either reports that the blob exists
    /// (<see cref="IngestSession.Exists"/>) or opens its partial file, resuming from the bytes a killed writer left.
    /// Dispose the session to release the lock; an uncommitted session deletes its partial file.
    /// </summary>
    public async Task<IngestSession> BeginIngestAsync(Digest expected, long? expectedSize, CancellationToken cancellationToken = default)
    {
        var storeLock = await StoreLock.AcquireAsync(LockPathFor(expected), cancellationToken).ConfigureAwait(false);
        try
        {
            return IngestSession.Open(this, expected, expectedSize, storeLock);
        }
        catch
        {
            storeLock.Dispose();
            throw;
        }
    }

    /// <summary>Writes <paramref name="source"/> as <paramref name="expected"/>; false when the store already had it.</summary>
    public async Task<bool> IngestAsync(Stream source, Digest expected, long? expectedSize, CancellationToken cancellationToken = default)
    {
        try { return await IngestCoreAsync(source, expected, expectedSize, cancellationToken).ConfigureAwait(false); }
        catch (IOException e) when (IoErrors.IsOutOfSpace(e)) { throw OutOfSpace(expected.ToString(), e); }
    }

    private async Task<bool> IngestCoreAsync(Stream source, Digest expected, long? expectedSize, CancellationToken cancellationToken)
    {
        await using var session = await BeginIngestAsync(expected, expectedSize, cancellationToken).ConfigureAwait(false);
        if (session.Exists) return false;
        session.Restart();
        var buffer = new byte[1 << 16];
        int n;
        while ((n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            await session.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Writes <paramref name="content"/> (a manifest, a config); returns its sha256 descriptor parts.</summary>
    public async Task<Digest> IngestBytesAsync(byte[] content, Digest? expected = null, CancellationToken cancellationToken = default)
    {
        var digest = expected ?? Digest.Sha256(content);
        using var stream = new MemoryStream(content, writable: false);
        await IngestAsync(stream, digest, content.Length, cancellationToken).ConfigureAwait(false);
        return digest;
    }

    /// <summary>
    /// Writes a stream whose digest is not known in advance (a docker-archive's layer.tar): to a private temp file
    /// under ingest/ while hashing with sha256, then, under the digest's lock, renamed into place unless present.
    /// </summary>
    public async Task<(Digest Digest, long Size)> IngestUnknownAsync(Stream source, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(IngestDirectory);
        var temp = Path.Combine(IngestDirectory, $"unknown-{Guid.NewGuid():N}.partial");
        try
        {
            Digest digest;
            long size = 0;
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                var buffer = new byte[1 << 16];
                int n;
                while ((n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, n);
                    await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                    size += n;
                }
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
                digest = Digest.FromHash("sha256", hash.GetHashAndReset());
            }
            using (await StoreLock.AcquireAsync(LockPathFor(digest), cancellationToken).ConfigureAwait(false))
            {
                if (!Has(digest))
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(BlobPath(digest))!);
                    File.Move(temp, BlobPath(digest));
                }
            }
            return (digest, size);
        }
        catch (IOException e) when (IoErrors.IsOutOfSpace(e))
        {
            throw OutOfSpace("of unknown digest", e);
        }
        finally
        {
            AtomicFile.TryDelete(temp);
        }
    }

    /// <summary>Deletes a blob (under its lock, so no ingest of it is under way); false when it was not there.</summary>
    public async Task<bool> DeleteAsync(Digest digest, CancellationToken cancellationToken = default)
    {
        using var storeLock = await StoreLock.AcquireAsync(LockPathFor(digest), cancellationToken).ConfigureAwait(false);
        if (!Has(digest)) return false;
        File.Delete(BlobPath(digest));
        return true;
    }

    /// <summary>A full disk while a blob was written: the partial file is gone (the ingest's cleanup), the store as it
    /// was; the error says which blob and which store.</summary>
    private CartonException OutOfSpace(string blob, IOException e) =>
        IoErrors.OutOfSpace($"blob {blob}: write to the content store {Root}", e);

    internal string PartialPathFor(Digest digest) => Path.Combine(IngestDirectory, $"{digest.Algorithm}-{digest.Encoded}.partial");

    // 256 stripes per algorithm: see StoreLock.
    private string LockPathFor(Digest digest) => Path.Combine(LocksDirectory, $"{digest.Algorithm}-{digest.Encoded[..2]}.lock");
}
