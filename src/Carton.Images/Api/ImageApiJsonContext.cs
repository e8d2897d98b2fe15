using System.Text.Json.Serialization;

namespace Carton.Images.Api;

/// <summary>Source-generated JSON for the daemon's image routes and Carton.Client's mirror of them (NativeAOT: no
/// reflection). Compact, nulls left out: one event is one line of an x-ndjson stream.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = false)]
[JsonSerializable(typeof(ImagePullRequest))]
[JsonSerializable(typeof(ImageTransferEvent))]
[JsonSerializable(typeof(List<ImageSummary>))]
[JsonSerializable(typeof(ImageDetails))]
[JsonSerializable(typeof(ImageTagRequest))]
[JsonSerializable(typeof(ImageTagResult))]
[JsonSerializable(typeof(ImagePushRequest))]
[JsonSerializable(typeof(ImagePruneRequest))]
[JsonSerializable(typeof(ImagePruneResponse))]
public sealed partial class ImageApiJsonContext : JsonSerializerContext;
