using System.Text.Json.Serialization;
using Carton.Images.Registry;

namespace Carton.Images.Api;

/// <summary>
/// One line of a transfer's event stream (<c>POST /v1/images/pull</c> and <c>/v1/images/{ref}/push</c>, application/x-ndjson). A stream is any number
/// of <c>"progress"</c> events, one per change of one blob, then exactly one <c>"result"</c> or <c>"error"</c> event,
/// then the end. The shape is the transfer's, not the pull's: a push streams the same events with its own states
/// (a blob uploading, mounted, already there), so one client loop and one progress view serve both.
/// </summary>
public sealed class ImageTransferEvent
{
    public const string ProgressType = "progress";
    public const string ResultType = "result";
    public const string ErrorType = "error";

    /// <summary>"progress", "result" or "error".</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = "";

    /// <summary>progress: the blob's digest; result: the digest the image's name points at (index or manifest).</summary>
    [JsonPropertyName("digest")] public string? Digest { get; set; }

    /// <summary>progress: the blob's media type (tells layers from the config).</summary>
    [JsonPropertyName("mediaType")] public string? MediaType { get; set; }

    /// <summary>progress: where the blob is: for a pull "waiting", "downloading", "verifying", "done" or "exists"; for a
    /// push "waiting", "uploading", "done", "mounted" or "exists".</summary>
    [JsonPropertyName("state")] public string? State { get; set; }

    /// <summary>progress: bytes of the blob transferred so far.</summary>
    [JsonPropertyName("current")] public long? Current { get; set; }

    /// <summary>progress: the blob's size from its descriptor.</summary>
    [JsonPropertyName("total")] public long? Total { get; set; }

    /// <summary>result: the image's canonical name.</summary>
    [JsonPropertyName("name")] public string? Name { get; set; }

    /// <summary>result of a pull: the platform's manifest digest (what `carton image pull` prints).</summary>
    [JsonPropertyName("manifestDigest")] public string? ManifestDigest { get; set; }

    /// <summary>error: the same body as a failed request's (code, kind, message, jsonPath?, errno?).</summary>
    [JsonPropertyName("error")] public ImageApiError? Error { get; set; }

    /// <summary>A pull's report about one blob.</summary>
    public static ImageTransferEvent Progress(PullProgress p) => new()
    {
        Type = ProgressType,
        Digest = p.Digest.ToString(),
        MediaType = p.MediaType,
        State = p.State.ToString().ToLowerInvariant(),
        Current = p.BytesDone,
        Total = p.Total,
    };

    /// <summary>A push's report about one blob (states "waiting", "uploading", "done", "mounted", "exists").</summary>
    public static ImageTransferEvent Progress(PushProgress p) => new()
    {
        Type = ProgressType,
        Digest = p.Digest.ToString(),
        MediaType = p.MediaType,
        State = p.State.ToString().ToLowerInvariant(),
        Current = p.BytesDone,
        Total = p.Total,
    };

    /// <summary>The last event of a push that worked: the name and the digest its tag now points at.</summary>
    public static ImageTransferEvent Result(PushedImage image) => new()
    {
        Type = ResultType,
        Name = image.Name,
        Digest = image.Target.Digest,
        MediaType = image.Target.MediaType,
    };

    /// <summary>The last event of a pull that worked.</summary>
    public static ImageTransferEvent Result(Content.StoredImage image) => new()
    {
        Type = ResultType,
        Name = image.Name,
        Digest = image.Target.Digest,
        MediaType = image.Target.MediaType,
        ManifestDigest = image.ManifestDescriptor.Digest,
    };

    /// <summary>The last event of a transfer that failed after the response had started (its status was 200 by then).</summary>
    public static ImageTransferEvent Failure(CartonException e) => new()
    {
        Type = ErrorType,
        Error = new ImageApiError { Code = e.Code, Kind = e.Kind.ToString(), Message = e.Message, JsonPath = e.JsonPath, Errno = e.Errno },
    };
}

/// <summary>The daemon's error body (<c>{"code","kind","message","jsonPath"?,"errno"?}</c>) inside an error event.</summary>
public sealed class ImageApiError
{
    [JsonPropertyName("code")] public string Code { get; set; } = "";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("message")] public string Message { get; set; } = "";
    [JsonPropertyName("jsonPath")] public string? JsonPath { get; set; }
    [JsonPropertyName("errno")] public int? Errno { get; set; }
}
