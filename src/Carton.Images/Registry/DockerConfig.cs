using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Images.Registry;

/// <summary>
/// Credentials from Docker's client configuration: <c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>,
/// its <c>auths</c> map from registry to a base64 "user:password" (<c>auth</c>) or separate <c>username</c>/<c>password</c>.
/// Credential helpers (<c>credsStore</c>, <c>credHelpers</c>) are external programs and are not run.
/// </summary>
public static class DockerConfig
{
    /// <summary>The file Docker reads: $DOCKER_CONFIG/config.json when DOCKER_CONFIG is set, else ~/.docker/config.json.</summary>
    public static string DefaultPath()
    {
        var dir = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        if (string.IsNullOrEmpty(dir))
            dir = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
        return Path.Combine(dir, "config.json");
    }

    /// <summary>
    /// The credentials <paramref name="path"/> (default <see cref="DefaultPath"/>) holds for <paramref name="registry"/>,
    /// or null when the file or the entry is missing. A file that is not valid JSON, or an <c>auth</c> that is not
    /// base64 "user:password", is an error naming the file.
    /// </summary>
    public static RegistryCredentials? Find(string registry, string? path = null)
    {
        path ??= DefaultPath();
        if (!File.Exists(path)) return null;
        DockerConfigFile? file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllBytes(path), RegistryJsonContext.Default.DockerConfigFile);
        }
        catch (JsonException e)
        {
            throw new CartonException(ErrorKind.InvalidDocument, $"docker config {path}: not valid JSON: {e.Message}", e, jsonPath: e.Path ?? "$");
        }
        if (file?.Auths is null) return null;
        foreach (var (key, entry) in file.Auths)
        {
            if (!Matches(key, registry)) continue;
            if (!string.IsNullOrEmpty(entry.Auth))
            {
                string decoded;
                try
                {
                    decoded = Encoding.UTF8.GetString(Convert.FromBase64String(entry.Auth));
                }
                catch (FormatException e)
                {
                    throw new CartonException(ErrorKind.InvalidDocument, $"docker config {path}: auths.\"{key}\".auth is not base64", e, jsonPath: $"auths.{key}.auth");
                }
                int colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                    throw new CartonException(ErrorKind.InvalidDocument, $"docker config {path}: auths.\"{key}\".auth is not base64 of user:password", jsonPath: $"auths.{key}.auth");
                return new RegistryCredentials(decoded[..colon], decoded[(colon + 1)..]);
            }
            if (!string.IsNullOrEmpty(entry.Username))
                return new RegistryCredentials(entry.Username, entry.Password ?? "");
        }
        return null;
    }

    /// <summary>Docker's keys are a host[:port] or a URL ("https://index.docker.io/v1/"); Docker Hub has several names.</summary>
    private static bool Matches(string key, string registry)
    {
        var host = key;
        int scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) host = host[(scheme + 3)..];
        int slash = host.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0) host = host[..slash];
        if (string.Equals(host, registry, StringComparison.OrdinalIgnoreCase)) return true;
        return registry == ImageReference.DockerHub && host is "index.docker.io" or "registry-1.docker.io" or "docker.io";
    }
}

/// <summary>The part of Docker's config.json Carton reads.</summary>
public sealed class DockerConfigFile
{
    [JsonPropertyName("auths")] public Dictionary<string, DockerAuthEntry>? Auths { get; set; }
}

/// <summary>One registry's entry in config.json's <c>auths</c>.</summary>
public sealed class DockerAuthEntry
{
    [JsonPropertyName("auth")] public string? Auth { get; set; }
    [JsonPropertyName("username")] public string? Username { get; set; }
    [JsonPropertyName("password")] public string? Password { get; set; }
}
