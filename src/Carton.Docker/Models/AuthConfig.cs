using System.Text.Json.Serialization;

namespace Carton.Docker.Models;

/// <summary>
/// A registry login (swagger AuthConfig): the body of POST /auth, and the base64url JSON of the X-Registry-Auth
/// header. Docker's Go decoder matches names case-insensitively; so does this one.
/// </summary>
public sealed class AuthConfig
{
    [JsonPropertyName("username")] public string? Username { get; set; }
    [JsonPropertyName("password")] public string? Password { get; set; }
    [JsonPropertyName("email")] public string? Email { get; set; }
    [JsonPropertyName("serveraddress")] public string? ServerAddress { get; set; }
    [JsonPropertyName("auth")] public string? Auth { get; set; }
    [JsonPropertyName("identitytoken")] public string? IdentityToken { get; set; }
    [JsonPropertyName("registrytoken")] public string? RegistryToken { get; set; }
}
