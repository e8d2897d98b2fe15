using System.IO.Pipelines;
using Carton.Docker.Models;

namespace Carton.Docker;

/// <summary>
/// dockerd's copy-up (container.CopyImagePathContent): a volume mounted over a directory the image has files in gets
/// those files, when the volume is empty and the mount did not ask nocopy. Done once the container is created (its
/// root file system is mounted then), through <see cref="IContainerFiles"/>: the image's directory as a tar of its
/// contents ("DIR/."), extracted into the volume's data, owners and modes kept.
/// </summary>
internal static class VolumeCopyUp
{
    /// <summary>Go's os.ModeDir in <see cref="ContainerPathStat.Mode"/>.</summary>
    private const uint GoModeDir = 1u << 31;

    /// <summary>Fills each empty volume of <paramref name="copyUps"/>; a failure is a warning of the create's answer
    /// (the container is made; its volume starts as it was), as the copy is a convenience, not the container's.</summary>
    public static async Task RunAsync(DockerServices services, ContainerRecord record, List<ContainerVolume> copyUps, List<string> warnings)
    {
        if (services.Files is not { } files) return;
        string? rootfs;
        try { rootfs = (await services.Containers.PropertiesAsync(record, CancellationToken.None)).RootfsPath; }
        catch (CartonException) { return; }
        if (rootfs is null) return;
        foreach (var v in copyUps)
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(v.Source).Any()) continue;
                ContainerPathStat stat;
                try { stat = files.Stat(rootfs, v.Destination); }
                catch (CartonException e) when (e.Kind == ErrorKind.NotFound) { continue; }
                if ((stat.Mode & GoModeDir) == 0) continue;
                var pipe = new Pipe();
                var write = Task.Run(async () =>
                {
                    await using var output = pipe.Writer.AsStream();
                    try { await files.WriteTarAsync(rootfs, v.Destination.TrimEnd('/') + "/.", output, CancellationToken.None); }
                    catch (Exception e) { await pipe.Writer.CompleteAsync(e); throw; }
                });
                await using (var input = pipe.Reader.AsStream())
                    await files.ExtractTarAsync(v.Source, "/", input, noOverwriteDirNonDir: false, chownTo: null, CancellationToken.None);
                await write;
            }
            catch (Exception e) when (e is IOException or CartonException or UnauthorizedAccessException)
            {
                warnings.Add($"copying the image's {v.Destination} into volume {v.Name} failed: {e.Message}");
                services.Log?.Invoke("warning", "a volume's copy-up failed", w => { w.WriteString("volume", v.Name); w.WriteString("error", e.Message); });
            }
        }
    }
}
