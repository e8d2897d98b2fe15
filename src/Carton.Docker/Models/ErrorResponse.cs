using System.Text.Json.Serialization;

namespace Carton.Docker.Models;

/// <summary>Docker's error body (swagger ErrorResponse): the CLIs print "Error response from daemon: " + message.</summary>
public sealed class ErrorResponse
{
    [JsonPropertyName("message")] public string Message { get; set; } = "";
}
