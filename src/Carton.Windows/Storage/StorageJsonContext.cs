using System.Text.Json.Serialization;

namespace Carton.Windows.Storage;

/// <summary>The source-generated serializer of computestorage.dll's JSON documents (no reflection: NativeAOT).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LayerData))]
[JsonSerializable(typeof(ExportLayerOptions))]
[JsonSerializable(typeof(OsLayerOptions))]
public sealed partial class StorageJsonContext : JsonSerializerContext;
