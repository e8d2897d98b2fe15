using System.Buffers;
using System.Formats.Tar;
using Carton.Linux.Interop;
using Carton.Linux.IO;
using Carton.Linux.Security;

namespace Carton.Images.Linux.Unpack;

/// <summary>
/// Unpacks an image layer (image-spec layer.md: an uncompressed tar changeset) into a directory, streaming: each
/// entry is written as System.Formats.Tar's TarReader yields it, the DiffID is hashed from the same bytes, and the
/// file system is synced once at the end (syncfs), not per file. See <see cref="LayerWriter"/> for how paths are
/// resolved and <see cref="UnpackOptions"/> for whiteouts, id mapping and rootless.
/// </summary>
public static class LayerUnpacker
{
    private const int BufferSize = 1 << 20;

    /// <summary>
    /// Unpacks <paramref name="layer"/> into <paramref name="target"/>, a new directory (its parent must exist; the
    /// directory itself must not). On any failure, the DiffID check included, <paramref name="target"/> is removed
    /// and a <see cref="LayerException"/> names the layer, the entry and why.
    /// </summary>
    public static LayerUnpackResult Unpack(Stream layer, string target, UnpackOptions options)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(options);
        int rootFd = CreateTarget(target, options.Name);
        try
        {
            return Run(layer, rootFd, options, fresh: true);
        }
        catch
        {
            FileDescriptor.Close(rootFd);
            rootFd = -1;
            RemoveTarget(target);
            throw;
        }
        finally
        {
            FileDescriptor.Close(rootFd);
        }
    }

    /// <summary>
    /// Applies <paramref name="layer"/> onto the existing directory <paramref name="root"/> (layers below already in
    /// it; usually <see cref="WhiteoutMode.Apply"/>). On failure the directory is left as it is: the caller owns it
    /// (<see cref="RootfsFlattener"/> removes it).
    /// </summary>
    public static LayerUnpackResult ApplyTo(Stream layer, string root, UnpackOptions options)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(options);
        int rootFd = FileDescriptor.TryOpen(root, OpenFlags.ReadOnly | OpenFlags.Directory);
        if (rootFd < 0) throw new LayerException(ErrorTable.KindOfErrno(-rootFd), options.Name, null, $"open {root}: {Errno.Describe(-rootFd)}", errno: -rootFd);
        try { return Run(layer, rootFd, options, fresh: false); }
        finally { FileDescriptor.Close(rootFd); }
    }

    /// <summary>The unpack itself, onto the open directory <paramref name="rootFd"/> (also used by
    /// Archive.RootfsArchive for docker cp into a container, with the plain-archive options).</summary>
    internal static LayerUnpackResult Run(Stream layer, int rootFd, UnpackOptions options, bool fresh)
    {
        if (options.ExpectedDiffId is not null) LayerDigests.Validate(options.ExpectedDiffId, "expected diffID");
        var name = options.Name;
        using var hash = LayerDigests.NewHash(options.ExpectedDiffId);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var tap = new TarTap(layer, hash);
            long entries = 0;
            string? previous = null;
            using var writer = new LayerWriter(rootFd, options, fresh, buffer);
            using (var reader = new TarReader(tap, leaveOpen: true))
            {
                while (true)
                {
                    TarEntry? e;
                    try { e = reader.GetNextEntry(copyData: false); }
                    catch (EndOfStreamException) when (tap.AtBoundary)
                    {
                        // The stream ended where a header would start: an archive without its end-of-archive blocks.
                        break;
                    }
                    catch (Exception ex) when (ex is not CartonException and not OutOfMemoryException)
                    {
                        // TarReader's own refusals come as many types: InvalidDataException (checksum, format),
                        // EndOfStreamException, NotSupportedException (sparse files), OverflowException (a uid or gid
                        // over 2^31-1, which TarEntry cannot hold), and the decompressor's IOExceptions.
                        // A header that does not parse: often the previous entry's data ran past its declared size.
                        var where = previous is null ? "at the start of the archive" : $"after entry \"{previous}\"";
                        throw new LayerException(ErrorKind.InvalidDocument, name, null,
                            $"malformed tar {where} (byte {tap.Offset}): {ex.Message}", ex);
                    }
                    if (e is null) break;
                    if (e.EntryType == TarEntryType.GlobalExtendedAttributes) continue; // applies to nothing Carton keeps
                    entries++;
                    byte[]? pax = null;
                    if (!tap.LostTrack && tap.MainHeaders == entries) pax = tap.EntryPax;
                    try { writer.Write(e, pax); }
                    catch (SyscallException ex) { throw new LayerException(ex.Kind, name, e.Name, ex.Message, ex, ex.Errno); }
                    catch (Exception ex) when (ex is not CartonException and not OutOfMemoryException)
                    {
                        // Reading the entry's data failed (a corrupt compressed stream, a truncated archive).
                        throw new LayerException(ErrorKind.InvalidDocument, name, e.Name, $"reading its data: {ex.Message}", ex);
                    }
                    previous = e.Name;
                }
            }
            try { tap.Drain(buffer); }
            catch (Exception ex) when (ex is not CartonException and not OutOfMemoryException)
            {
                throw new LayerException(ErrorKind.InvalidDocument, name, null, $"reading the rest of the stream after the archive's end: {ex.Message}", ex);
            }
            var diffId = LayerDigests.Format(hash);
            if (options.ExpectedDiffId is { } expected && diffId != expected && !Defences.IsDisabled("layer-diffid-check"))
                throw new LayerException(ErrorKind.InvalidDocument, name, null,
                    $"the uncompressed layer's digest is {diffId}, the image says its DiffID is {expected}");
            writer.Finish();
            return new LayerUnpackResult(diffId, entries, writer.Bytes, writer.Warnings);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>mkdir of the target (exactly it: EEXIST is an error, never a merge) and an fd on it.</summary>
    internal static int CreateTarget(string target, string layer)
    {
        int rc = Directories.TryCreate(target, 0x1ED);
        if (rc != 0)
            throw new LayerException(rc == Errno.EEXIST ? ErrorKind.AlreadyExists : ErrorTable.KindOfErrno(rc), layer, null,
                $"create {target}: {Errno.Describe(rc)}", errno: rc);
        int fd = FileDescriptor.TryOpen(target, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.NoFollow);
        if (fd < 0)
        {
            RemoveTarget(target);
            throw new LayerException(ErrorTable.KindOfErrno(-fd), layer, null, $"open {target}: {Errno.Describe(-fd)}", errno: -fd);
        }
        return fd;
    }

    /// <summary>Removes a directory tree by fd from its parent (never following a symlink inside it).</summary>
    internal static void RemoveTarget(string target)
    {
        var full = Path.GetFullPath(target).TrimEnd('/');
        var parent = Path.GetDirectoryName(full);
        if (parent is null) return;
        int parentFd = FileDescriptor.TryOpen(parent, OpenFlags.PathOnly | OpenFlags.Directory);
        if (parentFd < 0) return;
        try { FileTree.RemoveAll(parentFd, Path.GetFileName(full), $"remove {full}"); }
        finally { FileDescriptor.Close(parentFd); }
    }
}
