using System.Text.Json.Serialization;

namespace Carton.Images.Model;

/// <summary>Source-generated JSON for every image document (NativeAOT: no reflection).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = false)]
[JsonSerializable(typeof(Descriptor))]
[JsonSerializable(typeof(Manifest))]
[JsonSerializable(typeof(ImageIndex))]
[JsonSerializable(typeof(ImageConfigFile))]
[JsonSerializable(typeof(Platform))]
public sealed partial class ImagesJsonContext : JsonSerializerContext;
