using System.Text.Json.Serialization;

namespace Carton.Images.Registry;

/// <summary>A token service's answer (Docker's token authentication spec): <c>token</c>, or OAuth2's <c>access_token</c>.</summary>
internal sealed class TokenResponse
{
    [JsonPropertyName("token")] public string? Token { get; set; }
    [JsonPropertyName("access_token")] public string? AccessToken { get; set; }
    [JsonPropertyName("expires_in")] public int? ExpiresIn { get; set; }
}
