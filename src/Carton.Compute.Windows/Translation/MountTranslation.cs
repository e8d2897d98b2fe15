using Carton.Oci;
using Carton.Windows.Hcs.Schema;

namespace Carton.Compute.Windows.Translation;

/// <summary>mounts to Container.MappedDirectories and Container.MappedPipes, as hcsshim tells them apart: a mount whose
/// source and destination are \\.\pipe\ names maps a pipe, any other a directory.</summary>
internal static class MountTranslation
{
    // hcsshim's disk mount types: they attach a disk over SCSI, a utility-VM-only path Carton does not take.
    private static readonly string[] s_diskTypes = ["physical-disk", "virtual-disk", "extensible-virtual-disk"];

    public static (List<MappedDirectory>? Directories, List<MappedPipe>? Pipes) Translate(List<Mount>? mounts, bool hyperV)
    {
        if (mounts is null || mounts.Count == 0)
            return (null, null);
        List<MappedDirectory>? directories = null;
        List<MappedPipe>? pipes = null;
        for (int i = 0; i < mounts.Count; i++)
        {
            var m = mounts[i];
            string at = $"mounts[{i}]";
            if (string.IsNullOrEmpty(m.Source))
                throw TranslationErrors.Invalid($"{at}.source", "is required on Windows (the host directory or pipe)");
            if (string.IsNullOrEmpty(m.Destination))
                throw TranslationErrors.Invalid($"{at}.destination", "is required");
            if (hyperV)
                // hcsshim shares each source into the utility VM over VSMB first and maps the VM's path; the translation
                // has no VM to share into.
                throw TranslationErrors.Unsupported(at, "mounts of a Hyper-V isolated container must be shared into the utility VM (VSMB) first, which the Windows backend does not do");

            bool sourceIsPipe = WindowsPaths.IsPipe(m.Source), destinationIsPipe = WindowsPaths.IsPipe(m.Destination);
            if (sourceIsPipe != destinationIsPipe)
                // hcsshim silently drops such a mount; a mount that vanishes is worse than an error
                throw TranslationErrors.Invalid(sourceIsPipe ? $"{at}.destination" : $"{at}.source",
                    "a named pipe maps only to a named pipe: source and destination must both start with \\\\.\\pipe\\ or neither");
            if (sourceIsPipe)
            {
                string name = m.Destination[WindowsPaths.PipePrefix.Length..];
                if (name.Length == 0)
                    throw TranslationErrors.Invalid($"{at}.destination", "names no pipe");
                (pipes ??= []).Add(new MappedPipe { HostPath = m.Source, ContainerPipeName = name });
                continue;
            }

            if (!string.IsNullOrEmpty(m.Type) && m.Type != "bind")
            {
                if (s_diskTypes.Contains(m.Type))
                    throw TranslationErrors.Unsupported($"{at}.type", $"\"{m.Type}\" mounts attach a disk to a utility VM, which the Windows backend does not do");
                throw TranslationErrors.Invalid($"{at}.type", $"\"{m.Type}\" is not a Windows mount type (empty or \"bind\" maps a directory)");
            }
            if (!WindowsPaths.IsAbsolute(m.Source))
                throw TranslationErrors.Invalid($"{at}.source", $"\"{m.Source}\" is not an absolute Windows path");
            if (!WindowsPaths.IsAbsolute(m.Destination))
                throw TranslationErrors.Invalid($"{at}.destination", $"\"{m.Destination}\" is not an absolute Windows path");
            // hcsshim: "ro" in any case makes it read-only; any other option is ignored
            bool readOnly = m.Options?.Any(o => string.Equals(o, "ro", StringComparison.OrdinalIgnoreCase)) == true;
            (directories ??= []).Add(new MappedDirectory
            {
                HostPath = m.Source,
                ContainerPath = m.Destination,
                ReadOnly = readOnly ? true : null,
            });
        }
        return (directories, pipes);
    }
}
