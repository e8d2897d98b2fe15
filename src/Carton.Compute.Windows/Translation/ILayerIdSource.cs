namespace Carton.Compute.Windows.Translation;

/// <summary>Gives a layer folder its HCS layer id (schema "Layer".Id).</summary>
/// <remarks>hcsshim (internal/wclayer LayerID) takes the folder's base name only, not its full path (hcsshim#1072),
/// and hands it to vmcompute.dll's NameToGuid, which derives a name-based GUID by an algorithm Microsoft does not
/// publish (its results carry version 5, SHA-1 name-based, but the namespace is not documented). So the translation
/// cannot compute it on Linux: on Windows the backend supplies an implementation over NameToGuid; tests supply a fake.
/// The translation always passes the base name, so two folders with the same name get the same id, as in hcsshim.</remarks>
public interface ILayerIdSource
{
    /// <summary>The layer id of the folder with this base name.</summary>
    /// <param name="folderName">The last element of the layer folder's path.</param>
    Guid LayerId(string folderName);
}
