using System.Text.Json.Serialization;

namespace Carton.Docker.Models;

/// <summary>
/// One message of Docker's JSON progress stream (pkg/jsonmessage: swagger CreateImageInfo, PushImageInfo): what POST
/// /images/create, /images/{name}/push and /images/load stream, one object per line. The CLIs draw "id: status
/// progress" lines from it, print <c>stream</c> as it is, and fail on errorDetail.
/// </summary>
public sealed class JsonMessage
{
    /// <summary>Text the CLIs print as it is (a load's "Loaded image: NAME\n").</summary>
    [JsonPropertyName("stream")] public string? Stream { get; set; }
    [JsonPropertyName("status")] public string? Status { get; set; }
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("progressDetail")] public ProgressDetail? ProgressDetail { get; set; }
    /// <summary>The pre-drawn bar, for clients that print it rather than draw their own from progressDetail.</summary>
    [JsonPropertyName("progress")] public string? Progress { get; set; }
    /// <summary>A push's result, which the CLIs pass to their callers (content trust signs with it).</summary>
    [JsonPropertyName("aux")] public PushResult? Aux { get; set; }
    [JsonPropertyName("errorDetail")] public ErrorDetail? ErrorDetail { get; set; }
    /// <summary>The error's message again (the field older clients read).</summary>
    [JsonPropertyName("error")] public string? Error { get; set; }
}

/// <summary>JsonMessage.progressDetail: bytes so far of a total.</summary>
public sealed class ProgressDetail
{
    [JsonPropertyName("current")] public long? Current { get; set; }
    [JsonPropertyName("total")] public long? Total { get; set; }
}

/// <summary>JsonMessage.errorDetail.</summary>
public sealed class ErrorDetail
{
    [JsonPropertyName("message")] public string Message { get; set; } = "";
}

/// <summary>JsonMessage.aux of a push (dockerd's pushResult): the tag, the manifest's digest and its size in bytes.</summary>
public sealed class PushResult
{
    public string Tag { get; set; } = "";
    public string Digest { get; set; } = "";
    public long Size { get; set; }
}
