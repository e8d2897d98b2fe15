using Carton.Docker.Models;

namespace Carton.Docker;

/// <summary>
/// A response of Docker's JSON messages, one per line ("\r\n", as dockerd's streamformatter), each flushed at once:
/// 200 and application/json go out with the first one. Until then an error can still be a plain error status; after
/// it, errors go in the stream as an errorDetail message, on which the CLIs print the message and fail.
/// </summary>
internal sealed class JsonMessageStream(HttpContext ctx)
{
    /// <summary>True once the response has started (errors must then go in the stream).</summary>
    public bool Started { get; private set; }

    public async Task WriteAsync(JsonMessage message)
    {
        var response = ctx.Response;
        if (!Started)
        {
            Started = true;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json";
            await response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
        }
        await DockerJson.WriteLineAsync(response.Body, message, DockerJsonContext.Wire.JsonMessage, "\r\n", ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>dockerd's streamformatter.FormatError: the message in errorDetail and again in error.</summary>
    public Task FailAsync(string message) =>
        WriteAsync(new JsonMessage { ErrorDetail = new ErrorDetail { Message = message }, Error = message });
}
