using System.Text.Json.Serialization;

namespace Carton.Images.Api;

/// <summary>The body of <c>POST /v1/images/{ref}/tag</c> (<c>{"target":"NEW"}</c>), and its answer (<c>{"name":"CANONICAL"}</c>).</summary>
public sealed class ImageTagRequest
{
    /// <summary>The new name: a reference with a tag (not a digest: a digest names content and cannot be moved).</summary>
    [JsonPropertyName("target")] public string? Target { get; set; }
}

/// <summary>The answer of a tag: the new name, canonical (<c>app</c> → <c>docker.io/library/app:latest</c>).</summary>
public sealed class ImageTagResult
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
}
