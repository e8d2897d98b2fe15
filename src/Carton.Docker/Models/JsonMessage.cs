using System.Text.Json.Serialization;

namespace Carton.Docker.Models;

/// <summary>
/// One message of Docker's JSON progress stream (pkg/jsonmessage: swagger CreateImageInfo): what POST /images/create
/// streams, one object per line. The CLIs draw "id: status progress" lines from it and fail on errorDetail.
/// </summary>
public sealed class JsonMessage
{
    [JsonPropertyName("status")] public string? Status { get; set; }
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("progressDetail")] public ProgressDetail? ProgressDetail { get; set; }
    /// <summary>The pre-drawn bar, for clients that print it rather than draw their own from progressDetail.</summary>
    [JsonPropertyName("progress")] public string? Progress { get; set; }
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
