using System.Text.Json.Serialization;

namespace Carton.Images.Api;

/// <summary>The body of the daemon's <c>POST /v1/images/{ref}/push</c> (it may be empty): what `carton image push`
/// takes besides the reference.</summary>
public sealed class ImagePushRequest
{
    /// <summary>Credentials for the registry; null: the daemon's own docker config.json (root's), else anonymous.</summary>
    [JsonPropertyName("credentials")] public ImageRegistryCredentials? Credentials { get; set; }
}
