using System.Text.Encodings.Web;
using System.Text.Json;
using Carton.Compute.Windows.Translation;
using Carton.Windows.Hcs.Schema;
// the contract has a ProcessParameters of its own, which this namespace would resolve first
using HcsProcessParameters = Carton.Windows.Hcs.Schema.ProcessParameters;

namespace Carton.Compute.Windows;

/// <summary>
/// The backend's <see cref="HcsDocumentSource"/>: a contract document's OCI form, with its spec's <c>windows</c>
/// section, translated by <see cref="OciToHcs"/> into the ComputeSystem document and the init's ProcessParameters.
/// What the Windows backend does not take yet is refused with the contract's Unsupported error and the reason:
/// the HCS form (it names no scratch layer, which on Windows must be a writable layer made by computestorage), a
/// system made from an image (oci.image: pull, then import its layers with Carton.Images.Windows and name the folders
/// in windows.layerFolders), and the contract's networking block (oci.network: on Windows a spec names its HCN
/// namespace or endpoints in windows.network, made through Carton.Network.Windows).
/// </summary>
public sealed class OciDocumentSource(ILayerIdSource layerIds, int processorCount, string owner = WindowsComputeService.Owner)
{
    /// <summary>Relaxed escaping: the documents go to HCS, never into HTML, and read as written.</summary>
    private static readonly HcsSchemaJsonContext Json = new(new JsonSerializerOptions(HcsSchemaJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>The source for this host: vmcompute's layer ids and the host's processors.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
    public static OciDocumentSource ForHost() => new(new HostLayerIds(), Environment.ProcessorCount);

    /// <summary>Translates <paramref name="document"/> (the <see cref="HcsDocumentSource"/> shape).</summary>
    /// <exception cref="InvalidComputeDocumentException">the document or its spec is invalid (the JSON path named)</exception>
    /// <exception cref="ComputeException">kind Unsupported: the document asks for what the backend does not do</exception>
    public HcsDocuments Translate(string id, ComputeSystemDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (document.Hcs is not null)
            throw Unsupported("hcs", "the HCS form names no scratch layer, which on Windows is a writable layer computestorage makes; give the OCI form with windows.layerFolders (the last one the scratch)");
        var oci = document.Oci ?? throw new InvalidComputeDocumentException("oci", "the document has neither an oci nor an hcs form");
        if (oci.Image is not null)
            throw Unsupported("oci.image", "systems made from an image are not wired on Windows yet: import its layers with Carton.Images.Windows (LayerFolders) and name them in windows.layerFolders");
        if (oci.ImageConfig is not null)
            throw Unsupported("oci.imageConfig", "it goes with oci.image, which the Windows backend does not take yet");
        if (oci.Network is not null)
            throw Unsupported("oci.network", "on Windows the spec names its HCN namespace or endpoints in windows.network (made with Carton.Network.Windows)");
        ComputeSystem system;
        HcsProcessParameters? init;
        try
        {
            system = OciToHcs.ToComputeSystem(oci.Spec, new OciToHcsOptions { LayerIds = layerIds, ProcessorCount = processorCount, Owner = owner });
            // the init's stdio: none (the backend closes what HCS would give: Windows has no monitor to relay it yet)
            init = oci.Spec.Process is { } process ? OciToHcs.ToProcessParameters(process, new ProcessStdio(false, false, false)) : null;
        }
        catch (InvalidComputeDocumentException e) when (!e.JsonPath.StartsWith("oci.spec.", StringComparison.Ordinal))
        {
            // the translation names paths inside the spec; the contract's document has it under oci.spec
            throw new InvalidComputeDocumentException("oci.spec." + e.JsonPath, e.Reason ?? e.Message);
        }
        return new HcsDocuments(
            JsonSerializer.Serialize(system, Json.ComputeSystem),
            init is null ? null : JsonSerializer.Serialize(init, Json.ProcessParameters));
    }

    /// <summary>Adapts <see cref="Translate"/> to the backend's delegate.</summary>
    public static implicit operator HcsDocumentSource(OciDocumentSource source) => source.Translate;

    private static ComputeException Unsupported(string path, string why) =>
        new(ErrorKind.Unsupported, $"{path}: {why}", jsonPath: path, reason: why);

    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
    private sealed class HostLayerIds : ILayerIdSource
    {
        public Guid LayerId(string folderName) => Carton.Windows.Storage.LayerFolderIds.Of(folderName);
    }
}
