using System.Text.Json.Serialization;

namespace Carton.Images.Api;

/// <summary>The body of the daemon's <c>POST /v1/images/prune</c> (it may be empty): `carton image prune`'s options.</summary>
public sealed class ImagePruneRequest
{
    /// <summary>Also remove the names of images no system uses (`--all`); false: only what no name reaches.</summary>
    [JsonPropertyName("all")] public bool All { get; set; }
}

/// <summary>What a prune removed (<c>POST /v1/images/prune</c>'s answer), as `carton image prune --format json`.</summary>
public sealed class ImagePruneResponse
{
    /// <summary>The names removed (with <see cref="ImagePruneRequest.All"/>).</summary>
    [JsonPropertyName("removedNames")] public List<string> RemovedNames { get; set; } = [];

    /// <summary>The blobs deleted.</summary>
    [JsonPropertyName("removedBlobs")] public List<ImagePrunedItem> RemovedBlobs { get; set; } = [];

    /// <summary>The unpacked layers deleted, by chain ID.</summary>
    [JsonPropertyName("removedLayers")] public List<ImagePrunedItem> RemovedLayers { get; set; } = [];

    /// <summary>The bytes the removed blobs and layers took.</summary>
    [JsonPropertyName("reclaimedBytes")] public long ReclaimedBytes { get; set; }
}

/// <summary>One removed blob (its digest) or unpacked layer (its chain ID), and the bytes it took.</summary>
public sealed class ImagePrunedItem
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("size")] public long Size { get; set; }
}
