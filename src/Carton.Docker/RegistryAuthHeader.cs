using System.Text;
using System.Text.Json;
using Carton.Docker.Models;
using Carton.Images.Registry;

namespace Carton.Docker;

/// <summary>
/// X-Registry-Auth: base64url of an <see cref="AuthConfig"/> JSON, which the CLIs send with a pull (often "{}" or
/// only a server address). A user name and password become the pull's credentials; anything else means none. A
/// header that is not base64 JSON is a 400 naming the header, as in dockerd.
/// </summary>
internal static class RegistryAuthHeader
{
    public const string Name = "X-Registry-Auth";

    public static RegistryCredentials? Read(HttpContext ctx)
    {
        if (!ctx.Request.Headers.TryGetValue(Name, out var values) || values.Count == 0 || string.IsNullOrWhiteSpace(values[0]))
            return null;
        AuthConfig? auth;
        try
        {
            auth = JsonSerializer.Deserialize(Decode(values[0]!.Trim()), DockerJsonContext.Default.AuthConfig);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw DockerErrors.BadRequest($"invalid {Name} header: it must be base64url-encoded JSON ({e.Message})", Name);
        }
        if (auth is null) return null;
        if (!string.IsNullOrEmpty(auth.Username)) return new RegistryCredentials(auth.Username, auth.Password ?? "");
        // "auth" is base64 of user:password, as in ~/.docker/config.json
        if (!string.IsNullOrEmpty(auth.Auth))
        {
            try
            {
                return RegistryCredentials.Parse(Encoding.UTF8.GetString(Decode(auth.Auth)));
            }
            catch (Exception e) when (e is FormatException or CartonException)
            {
                throw DockerErrors.BadRequest($"invalid {Name} header: its auth field is not base64 of user:password", Name);
            }
        }
        return null;
    }

    /// <summary>base64url or standard base64, padded or not (the CLIs have sent each).</summary>
    private static byte[] Decode(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        s = s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
        return Convert.FromBase64String(s);
    }
}
