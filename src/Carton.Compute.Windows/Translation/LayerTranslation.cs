using Carton.Oci;
using Carton.Windows.Hcs.Schema;

namespace Carton.Compute.Windows.Translation;

/// <summary>windows.layerFolders (and root) to Container.Storage: the read-only layers with their ids, and the scratch.</summary>
internal static class LayerTranslation
{
    public static Storage ToStorage(Spec spec, WindowsSpec windows, ILayerIdSource ids)
    {
        var folders = windows.LayerFolders;
        // config-windows.md: at least one entry, the last being the scratch; a container also needs its base OS layer
        // below the scratch, so two entries is the least HCS can use.
        if (folders is null || folders.Count < 2)
            throw TranslationErrors.Invalid("windows.layerFolders",
                "needs the image's layer folders (topmost first, base last) followed by the scratch folder: at least two entries");
        for (int i = 0; i < folders.Count; i++)
        {
            if (string.IsNullOrEmpty(folders[i]) || !WindowsPaths.IsAbsolute(folders[i]))
                throw TranslationErrors.Invalid($"windows.layerFolders[{i}]", $"\"{folders[i]}\" is not an absolute Windows path");
        }

        var layers = new List<Layer>(folders.Count - 1);
        for (int i = 0; i < folders.Count - 1; i++)
        {
            string name = WindowsPaths.BaseName(folders[i]);
            // "C:\" has no folder name ("C:" is the drive); ':' is not allowed in a Windows file name anyway
            if (name.Length == 0 || name.Contains(':'))
                throw TranslationErrors.Invalid($"windows.layerFolders[{i}]", "has no folder name to derive the layer id from");
            // the HCS schema writes GUIDs in the registry form without braces (hcsshim: guid.GUID.String)
            layers.Add(new Layer { Id = ids.LayerId(name).ToString("D"), Path = folders[i] });
        }
        return new Storage { Layers = layers, Path = ScratchPath(spec, folders[^1]) };
    }

    /// <summary>hcsshim takes Storage.Path from root.path, which its caller sets to the volume of the mounted scratch
    /// (\\?\Volume{GUID}\), and rejects anything else. A spec may carry that volume; without a root.path the scratch
    /// folder itself (the last layer folder) is given.</summary>
    private static string ScratchPath(Spec spec, string scratchFolder)
    {
        if (spec.Root?.Readonly == true)
            throw TranslationErrors.Invalid("root.readonly", "a Windows container's scratch is always writable (HCS has no read-only root)");
        string? rootPath = spec.Root?.Path;
        if (string.IsNullOrEmpty(rootPath))
            return scratchFolder;
        if (!WindowsPaths.IsVolumeGuidPath(rootPath))
            throw TranslationErrors.Invalid("root.path", $"\"{rootPath}\" is not a volume GUID path (\\\\?\\Volume{{GUID}}\\) of the mounted scratch");
        return rootPath.EndsWith('\\') ? rootPath : rootPath + "\\"; // HCS wants the trailing backslash, as hcsshim ensures
    }
}
