using System.Text.Json.Serialization;

namespace Carton.Images.Api;

/// <summary>The body of the daemon's <c>POST /v1/images/pull</c>: what `carton image pull` takes as arguments.</summary>
public sealed class ImagePullRequest
{
    /// <summary>The image reference (docker's grammar: "busybox", "127.0.0.1:5000/app:1", "repo@sha256:…").</summary>
    [JsonPropertyName("reference")] public string? Reference { get; set; }

    /// <summary>"os/architecture[/variant]" picked from a multi-platform index; null: the daemon host's platform.</summary>
    [JsonPropertyName("platform")] public string? Platform { get; set; }

    /// <summary>Credentials for the registry; null: the daemon's own docker config.json (root's), else anonymous.</summary>
    [JsonPropertyName("credentials")] public ImageRegistryCredentials? Credentials { get; set; }
}

/// <summary>A user name and password (or token) for a registry, sent in a request body, never logged or echoed.</summary>
public sealed class ImageRegistryCredentials
{
    [JsonPropertyName("username")] public string? Username { get; set; }
    [JsonPropertyName("password")] public string? Password { get; set; }
}
