using System.Diagnostics;
using System.Text.Json;
using Carton.Docker.Models;
using Microsoft.AspNetCore.Connections;

namespace Carton.Docker;

/// <summary>
/// Every failure as Docker answers it: the status by kind (<see cref="ErrorTable"/>) and the body
/// <c>{"message": "..."}</c>, which the CLIs print after "Error response from daemon: ". Also one log line per
/// request. A client that leaves mid-request is not an error; an unexpected exception is logged whole and answered
/// with a generic message (its text may hold internal detail that is none of the client's business).
/// </summary>
internal static class DockerErrorMiddleware
{
    public static void Use(WebApplication app, DockerServices services, long maxBodyBytes)
    {
        app.Use(async (ctx, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            string? error = null;
            try
            {
                await next(ctx);
                // the router's answer to a known path with another method carries no body: give it Docker's
                if (ctx.Response.StatusCode == StatusCodes.Status405MethodNotAllowed && !ctx.Response.HasStarted)
                    await Write(ctx, StatusCodes.Status405MethodNotAllowed, "method not allowed");
            }
            catch (CartonException e)
            {
                error = e.Message;
                await Fail(ctx, ErrorTable.Of(e.Kind).HttpStatus, e.Message);
            }
            catch (Exception e) when (e is OperationCanceledException or ConnectionResetException or IOException && ctx.RequestAborted.IsCancellationRequested)
            {
                error = "client disconnected";
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                error = e.Message;
                await Fail(ctx, e.StatusCode, $"the request body is larger than {maxBodyBytes >> 20} MiB, the daemon's limit");
            }
            catch (BadHttpRequestException e)
            {
                error = e.Message;
                await Fail(ctx, e.StatusCode, e.Message);
            }
            catch (Exception e)
            {
                error = e.Message;
                services.Log?.Invoke("error", "unhandled error in the Docker API", w =>
                {
                    w.WriteString("path", ctx.Request.Path.Value);
                    w.WriteString("exception", e.ToString());
                });
                await Fail(ctx, StatusCodes.Status500InternalServerError, "internal error in carton serve (details are in its log)");
            }
            finally
            {
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                services.Log?.Invoke("info", "docker request", w =>
                {
                    w.WriteString("method", ctx.Request.Method);
                    w.WriteString("path", ctx.Request.Path.Value);
                    if (ctx.Request.QueryString.HasValue) w.WriteString("query", ctx.Request.QueryString.Value);
                    w.WriteNumber("status", ctx.Response.StatusCode);
                    w.WriteNumber("ms", Math.Round(ms, 3));
                    if (error is not null) w.WriteString("error", error);
                });
            }
        });
    }

    private static async Task Fail(HttpContext ctx, int status, string message)
    {
        if (ctx.Response.HasStarted)
        {
            // a stream was under way: the status is gone, cut the connection so the client sees a truncated body
            ctx.Abort();
            return;
        }
        ctx.Response.Clear();
        try
        {
            await Write(ctx, status, message);
        }
        catch (Exception x) when (x is OperationCanceledException or IOException or JsonException)
        {
        }
    }

    private static Task Write(HttpContext ctx, int status, string message)
    {
        return DockerJson.WriteAsync(ctx, new ErrorResponse { Message = message }, DockerJsonContext.Wire.ErrorResponse, status);
    }
}
