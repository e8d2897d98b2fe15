using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Storage;

/// <summary>
/// The <c>layerData</c> JSON document of computestorage.dll's calls (HcsImportLayer, HcsExportLayer,
/// HcsInitializeWritableLayer, HcsAttachLayerStorageFilter): the layers a layer stands on, in the order HCS wants them
/// (the parent first, the base layer last, as hcsshim's computestorage callers build it). Field names follow
/// Microsoft's HCS schema reference ("LayerData", "Layer"; hcsshim's computestorage.LayerData and schema2.Layer are
/// the Go reading of it). Fields this version does not know are kept in <see cref="Extra"/> and written back.
/// </summary>
public sealed class LayerData
{
    /// <summary>The schema version of the document (2.1 for Windows Server 2019 and later).</summary>
    [JsonPropertyName("SchemaVersion")]
    public LayerDataVersion? SchemaVersion { get; set; }

    /// <summary>The layers, parent first, base layer last.</summary>
    [JsonPropertyName("Layers")]
    public List<LayerDescriptor>? Layers { get; set; }

    /// <summary>The file system filter the layers are stacked with ("WCIFS", the default, or "UnionFS"); null leaves
    /// it to HCS.</summary>
    [JsonPropertyName("FilterType")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FilterType { get; set; }

    /// <summary>Fields of the document this version does not model, kept as they came.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>A schema 2.1 document over <paramref name="layers"/> (parent first).</summary>
    public static LayerData Of(IEnumerable<LayerDescriptor> layers) =>
        new() { SchemaVersion = LayerDataVersion.V21, Layers = [.. layers] };
}

/// <summary>The schema's <c>Version</c> object: <c>{"Major":2,"Minor":1}</c>.</summary>
public sealed class LayerDataVersion
{
    /// <summary>Schema 2.1, the version computestorage.dll has taken since Windows Server 2019.</summary>
    public static LayerDataVersion V21 => new() { Major = 2, Minor = 1 };

    /// <summary>The major version.</summary>
    [JsonPropertyName("Major")]
    public uint Major { get; set; }

    /// <summary>The minor version.</summary>
    [JsonPropertyName("Minor")]
    public uint Minor { get; set; }

    /// <summary>Fields this version does not model.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>One layer of <see cref="LayerData.Layers"/>: the schema's <c>Layer</c> object.</summary>
public sealed class LayerDescriptor
{
    /// <summary>The layer's GUID, as a string ("a1b2…-…"); see <c>Carton.Images.Windows.LayerFolders</c> for how Carton
    /// derives it.</summary>
    [JsonPropertyName("Id")]
    public string? Id { get; set; }

    /// <summary>The layer folder's absolute path.</summary>
    [JsonPropertyName("Path")]
    public string? Path { get; set; }

    /// <summary>How <see cref="Path"/> is to be read: "AbsolutePath" (a host path) or "VirtualSmbShareName"; null
    /// means an absolute path.</summary>
    [JsonPropertyName("PathType")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PathType { get; set; }

    /// <summary>Fields this version does not model (the schema's "Cache", say).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>The <c>options</c> document of HcsExportLayer (the schema's <c>ExportLayerOptions</c>).</summary>
public sealed class ExportLayerOptions
{
    /// <summary>True when the layer exported is a container's writable (scratch) layer rather than a read-only one.</summary>
    [JsonPropertyName("IsWritableLayer")]
    public bool IsWritableLayer { get; set; }

    /// <summary>Fields this version does not model.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>The <c>options</c> document of HcsSetupBaseOSLayer (the schema's <c>OsLayerOptions</c>).</summary>
public sealed class OsLayerOptions
{
    /// <summary>"Container" or "Vm": what the base layer is set up for.</summary>
    [JsonPropertyName("Type")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Type { get; set; }

    /// <summary>Skips the code-integrity cache optimisation.</summary>
    [JsonPropertyName("DisableCiCacheOptimization")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool DisableCiCacheOptimization { get; set; }

    /// <summary>Leaves the boot configuration data alone (a "Vm" layer).</summary>
    [JsonPropertyName("SkipUpdateBcdForBoot")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool SkipUpdateBcdForBoot { get; set; }

    /// <summary>Fields this version does not model.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
