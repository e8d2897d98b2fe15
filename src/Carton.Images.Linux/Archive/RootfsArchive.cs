using System.Formats.Tar;
using System.IO.Compression;
using Carton.Images.Linux.Unpack;
using Carton.Linux.Interop;
using Carton.Linux.IO;

namespace Carton.Images.Linux.Archive;

/// <summary>
/// The file-copy core of Docker's <c>/containers/{id}/archive</c> (HEAD, GET, PUT; <c>docker cp</c> both ways,
/// Testcontainers' copy-in) over a container's root file system given as a host directory (its mounted rootfs).
/// Container paths are looked up inside the rootfs as the container sees them: openat2(RESOLVE_IN_ROOT) from the
/// rootfs fd, so a symlink to "/etc" is the rootfs's etc and "../../.." stops at the rootfs (docs/security.md,
/// "Container archive"). Errors are <see cref="CartonException"/>s naming the container path: NotFound for a path
/// that is not there ("Could not find the file /x in container", Docker's wording), InvalidDocument for a request
/// or an archive at fault (400 in Docker's API).
/// </summary>
public static class RootfsArchive
{
    /// <summary>
    /// HEAD semantics: what <paramref name="containerPath"/> is in the container (Docker's ContainerPathStat; the
    /// daemon sends <see cref="RootfsPathStat.ToHeaderValue"/> as <c>X-Docker-Container-Path-Stat</c>). The
    /// directories on the way are resolved in the root; the last component is not followed (a symlink's stat is
    /// the symlink's, with <see cref="RootfsPathStat.LinkTarget"/> saying where it leads inside the container),
    /// unless the path ends in "/" or "/.", when it must lead to a directory.
    /// </summary>
    public static RootfsPathStat Stat(string rootfs, string containerPath)
    {
        int rootFd = InRoot.OpenRootfs(rootfs);
        try
        {
            using var start = ArchiveStart.Find(rootFd, containerPath);
            var st = start.Status;
            var link = st.IsSymlink ? LinkTarget(rootFd, start) : "";
            var mtime = DateTimeOffset.FromUnixTimeSeconds(st.ModifiedSeconds).AddTicks(st.ModifiedNanoseconds / 100);
            return new RootfsPathStat(start.Name, st.Size, GoFileMode.FromStatMode(st.Mode), mtime, link);
        }
        finally { FileDescriptor.Close(rootFd); }
    }

    /// <summary>
    /// GET semantics: writes a tar (PAX) of <paramref name="containerPath"/> to <paramref name="output"/>. The path
    /// is found as <see cref="Stat"/> finds it. A file, symlink, FIFO or device is one entry named by the path's
    /// base name (a symlink is the symlink: Docker follows it only for <c>docker cp -L</c>, which asks for the
    /// target's path itself); a directory is its entry ("name/") and everything below it, walked by fd without
    /// following any symlink in the tree, in name order, with owners, modes, mtimes, hardlinks (by inode), FIFOs
    /// and devices as they are; sockets are skipped. Entry names start with the base name as Docker's do: "/" for
    /// the root ("/", "/etc/", "/etc/passwd"), "." for a path ending in "/." ("./", "./a"), which the caller (the
    /// docker CLI) turns into "copy the contents". On an error the archive is left without its end-of-archive
    /// blocks, so a reader sees it truncated rather than complete.
    /// </summary>
    public static async Task WriteTarAsync(string rootfs, string containerPath, Stream output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(output);
        int rootFd = InRoot.OpenRootfs(rootfs);
        try
        {
            using var start = ArchiveStart.Find(rootFd, containerPath);
            // Not disposed on failure: disposing writes the end-of-archive blocks (leaveOpen: nothing else to free).
#pragma warning disable CA2000
            var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
#pragma warning restore CA2000
            await new TreeTarWriter(tar, ct).WriteAsync(start.DirFd, start.EntryName, start.Status, start.Name, start.Abs).ConfigureAwait(false);
            await tar.DisposeAsync().ConfigureAwait(false);
        }
        finally { FileDescriptor.Close(rootFd); }
    }

    /// <summary>
    /// PUT semantics: extracts the tar <paramref name="tar"/> (plain or gzip-compressed; bzip2, xz and zstd are
    /// refused as Unsupported) into <paramref name="containerDirectory"/>, which must exist in the container and be
    /// a directory (resolved in the root, the last component followed, as Docker does: a symlink to a directory is
    /// the directory). Missing: NotFound; not a directory: InvalidDocument. Entries are written with the layer
    /// unpack's machinery and defences (<see cref="LayerUnpacker"/>: ".." above the directory refused, absolute names
    /// taken under it, every parent resolved in the container's root so a symlink in the tar or already in the
    /// container cannot lead outside it, the last component never followed, hardlink targets inside the root), but
    /// as plain files: no whiteouts (".wh.x" is a file named ".wh.x"), and an entry for the directory itself ("./")
    /// leaves it as it is. A directory entry over an existing directory merges into it and gives it the entry's
    /// owner, mode and mtime; any other existing entry is replaced (unless <see cref="ExtractOptions.NoOverwriteDirNonDir"/>
    /// forbids it). Owners are the archive's unless <see cref="ExtractOptions.ChownTo"/> says otherwise. A bad
    /// archive is InvalidDocument naming the entry; what was extracted before it stays (as with Docker).
    /// </summary>
    public static async Task ExtractTarAsync(string rootfs, string containerDirectory, Stream tar, ExtractOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tar);
        ArgumentNullException.ThrowIfNull(options);
        int rootFd = InRoot.OpenRootfs(rootfs);
        try
        {
            var abs = InRoot.Parse(containerDirectory).Abs;
            var prefix = Destination(rootFd, abs);
            var head = new byte[512];
            int headLength = 0;
            while (headLength < head.Length)
            {
                int n = await tar.ReadAsync(head.AsMemory(headLength), ct).ConfigureAwait(false);
                if (n == 0) break;
                headLength += n;
            }
            var input = Decompressed(new BlockingReadStream(tar, head, headLength, ct), head.AsSpan(0, headLength), abs);
            await Task.Run(() => Extract(rootFd, prefix, abs, input, options, ct), ct).ConfigureAwait(false);
        }
        finally { FileDescriptor.Close(rootFd); }
    }

    private static void Extract(int rootFd, string prefix, string abs, Stream input, ExtractOptions options, CancellationToken ct)
    {
        var unpack = new UnpackOptions
        {
            LayerName = abs,
            Sync = false,
            PlainArchive = true,
            Prefix = prefix,
            NoOverwriteDirNonDir = options.NoOverwriteDirNonDir,
            ChownTo = options.ChownTo,
        };
        try
        {
            using (input) LayerUnpacker.Run(input, rootFd, unpack, fresh: false);
        }
        catch (LayerException) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }
        catch (LayerException e)
        {
            var where = e.Entry is null ? "" : $"entry \"{e.Entry}\": ";
            throw new CartonException(e.Kind, $"extract an archive into {abs} in the container: {where}{e.Why}", e, e.Errno);
        }
    }

    /// <summary>The extraction directory's path under the rootfs ("" for the root), checked to be a directory.</summary>
    private static string Destination(int rootFd, string abs)
    {
        int fd = InRoot.TryOpen(rootFd, abs, OpenFlags.PathOnly);
        if (fd < 0) throw InRoot.Failed("open", abs, -fd);
        try
        {
            if (!FileStatus.TryOf(fd, out var st)) throw InRoot.Failed("stat", abs, System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
            if (!st.IsDirectory)
                throw new CartonException(ErrorKind.InvalidDocument, $"extract an archive into {abs} in the container: the extraction point is not a directory", errno: Errno.ENOTDIR);
            var path = InRoot.ContainerPathOf(rootFd, fd)
                ?? throw new CartonException(ErrorKind.Internal, $"extract an archive into {abs} in the container: it resolves outside the container's root file system");
            return path.TrimStart('/');
        }
        finally { FileDescriptor.Close(fd); }
    }

    /// <summary>The archive, gunzipped when it starts with gzip's magic (Docker's Untar takes any compression it
    /// knows; .NET has gzip, not bzip2, xz or zstd).</summary>
    private static Stream Decompressed(Stream source, ReadOnlySpan<byte> head, string abs)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B])) return new GZipStream(source, CompressionMode.Decompress);
        string? unsupported =
            head.StartsWith("BZh"u8) ? "bzip2" :
            head.StartsWith((ReadOnlySpan<byte>)[0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) ? "xz" :
            head.StartsWith((ReadOnlySpan<byte>)[0x28, 0xB5, 0x2F, 0xFD]) ? "zstd" : null;
        if (unsupported is not null)
            throw new CartonException(ErrorKind.Unsupported, $"extract an archive into {abs} in the container: a {unsupported}-compressed archive (send it uncompressed or gzip-compressed)");
        return source;
    }

    /// <summary>Where a symlink leads in the container: the whole path resolved in the root; for a dangling link
    /// (or a loop), its target taken lexically from the link's directory, ".." stopping at the root.</summary>
    private static string LinkTarget(int rootFd, ArchiveStart start)
    {
        int fd = InRoot.TryOpen(rootFd, start.Abs, OpenFlags.PathOnly);
        if (fd >= 0)
        {
            try
            {
                if (InRoot.ContainerPathOf(rootFd, fd) is { } resolved) return resolved;
            }
            finally { FileDescriptor.Close(fd); }
        }
        var target = FileTree.ReadLink(start.DirFd, start.EntryName) ?? "";
        var dir = start.Abs[..start.Abs.LastIndexOf('/')];
        return InRoot.Parse(target.StartsWith('/') ? target : dir + "/" + target).Abs;
    }
}
