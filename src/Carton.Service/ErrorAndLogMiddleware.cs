using System.Diagnostics;
using System.Text.Json;
using Carton.Compute;
using Microsoft.AspNetCore.Connections;

namespace Carton.Service;

/// <summary>
/// Maps typed compute errors to HTTP (body <c>{"code","message"}</c>, status by code), and writes one JSON log line
/// per request (method, path, status, ms). A client that leaves mid-request is not an error.
/// </summary>
public static class ErrorAndLogMiddleware
{
    public static int StatusOf(string code) => code switch
    {
        "NotFound" or "ProcessNotFound" => StatusCodes.Status404NotFound,
        "AlreadyExists" or "InvalidState" or "AlreadyStopped" or "NoPipe" or "StreamInUse" => StatusCodes.Status409Conflict,
        "InvalidDocument" or "InvalidId" or "BadRequest" => StatusCodes.Status400BadRequest,
        "ShuttingDown" => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static void Use(WebApplication app)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        app.Use(async (ctx, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            string? error = null;
            try
            {
                await next(ctx);
            }
            catch (ComputeException e)
            {
                error = e.Message;
                await Fail(ctx, e.Code, e.Message, e is InvalidComputeDocumentException d ? d.JsonPath : null, (e as InvalidComputeSystemIdException)?.Id);
            }
            catch (Exception e) when (e is OperationCanceledException or ConnectionResetException or IOException && ctx.RequestAborted.IsCancellationRequested)
            {
                error = "client disconnected";
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                error = "daemon stopping";
                await Fail(ctx, "ShuttingDown", "carton serve is shutting down", null, null);
            }
            catch (BadHttpRequestException e)
            {
                error = e.Message;
                await Fail(ctx, "BadRequest", e.Message, null, null);
            }
            catch (Exception e)
            {
                error = e.Message;
                JsonLog.Error("unhandled error", w => { w.WriteString("path", ctx.Request.Path.Value); w.WriteString("exception", e.ToString()); });
                await Fail(ctx, "Internal", e.Message, null, null);
            }
            finally
            {
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                JsonLog.Info("request", w =>
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

    private static async Task Fail(HttpContext ctx, string code, string message, string? jsonPath, string? id)
    {
        if (ctx.Response.HasStarted)
        {
            // a stream was under way: the status is gone, cut the connection so the client sees a truncated body
            ctx.Abort();
            return;
        }
        ctx.Response.Clear();
        ctx.Response.StatusCode = StatusOf(code);
        try
        {
            await ComputeApi.WriteObject(ctx, w =>
            {
                w.WriteString("code", code);
                w.WriteString("message", message);
                if (jsonPath is not null) w.WriteString("jsonPath", jsonPath);
                if (id is not null) w.WriteString("id", id);
            });
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or JsonException)
        {
        }
    }
}
