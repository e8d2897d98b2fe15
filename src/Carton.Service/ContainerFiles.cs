using Carton.Docker;
using Carton.Images.Linux.Archive;

namespace Carton.Service;

/// <summary>The Docker API's archive endpoints on Linux: <see cref="RootfsArchive"/>, which resolves every container
/// path inside the root file system (openat2 RESOLVE_IN_ROOT) and extracts with the layer unpacker's defences.</summary>
internal sealed class ContainerFiles : IContainerFiles
{
    public ContainerPathStat Stat(string rootfs, string path)
    {
        var s = RootfsArchive.Stat(rootfs, path);
        return new ContainerPathStat { Name = s.Name, Size = s.Size, Mode = s.Mode, Mtime = s.Mtime, LinkTarget = s.LinkTarget };
    }

    public Task WriteTarAsync(string rootfs, string path, Stream output, CancellationToken cancellationToken) =>
        RootfsArchive.WriteTarAsync(rootfs, path, output, cancellationToken);

    public Task ExtractTarAsync(string rootfs, string path, Stream tar, bool noOverwriteDirNonDir, (uint Uid, uint Gid)? chownTo, CancellationToken cancellationToken) =>
        RootfsArchive.ExtractTarAsync(rootfs, path, tar, new ExtractOptions { NoOverwriteDirNonDir = noOverwriteDirNonDir, ChownTo = chownTo }, cancellationToken);
}
