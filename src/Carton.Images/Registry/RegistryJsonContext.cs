using System.Text.Json.Serialization;

namespace Carton.Images.Registry;

/// <summary>Source-generated JSON for the registry's own documents (tokens, errors).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(RegistryErrorBody))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;
