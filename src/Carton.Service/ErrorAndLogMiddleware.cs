using System.Diagnostics;
using System.Text.Json;
using Carton.Compute;
using Microsoft.AspNetCore.Connections;

namespace Carton.Service;

/// <summary>
/// Maps typed errors to HTTP through <see cref="ErrorTable"/> (body <c>{"code","kind","message","jsonPath"?,"errno"?,"id"?}</c>,
/// status by kind), and writes one JSON log line per request (method, path, status, ms). A client that leaves
/// mid-request is not an error. An unexpected exception is logged whole and answered with a generic message: its
/// text may hold internal detail that is none of the client's business.
/// </summary>
public static class ErrorAndLogMiddleware
{
    /// <summary>The HTTP status of a wire code (its kind's).</summary>
    public static int StatusOf(string code) => ErrorTable.Of(ErrorTable.KindOf(code)).HttpStatus;

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
            catch (CartonException e)
            {
                error = e.Message;
                await Fail(ctx, e, IdOf(e));
            }
            catch (Exception e) when (e is OperationCanceledException or ConnectionResetException or IOException && ctx.RequestAborted.IsCancellationRequested)
            {
                error = "client disconnected";
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                error = "daemon stopping";
                await Fail(ctx, new CartonException(ErrorKind.Unavailable, "carton serve is shutting down", code: "ShuttingDown"), null);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                error = e.Message;
                await Fail(ctx, new CartonException(ErrorKind.InvalidDocument,
                    $"the request body is larger than {DaemonHost.MaxRequestBodyBytes >> 20} MiB, the daemon's limit", code: "RequestTooLarge"), null);
            }
            catch (BadHttpRequestException e)
            {
                error = e.Message;
                await Fail(ctx, new CartonException(ErrorKind.InvalidDocument, e.Message, code: "BadRequest"), null);
            }
            catch (Exception e)
            {
                error = e.Message;
                JsonLog.Error("unhandled error", w => { w.WriteString("path", ctx.Request.Path.Value); w.WriteString("exception", e.ToString()); });
                await Fail(ctx, new CartonException(ErrorKind.Internal, "internal error in carton serve (details are in its log)", code: "Internal"), null);
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

    private static string? IdOf(CartonException e) => e switch
    {
        InvalidComputeSystemIdException i => i.Id,
        _ => null,
    };

    private static async Task Fail(HttpContext ctx, CartonException e, string? id)
    {
        if (ctx.Response.HasStarted)
        {
            // a stream was under way: the status is gone, cut the connection so the client sees a truncated body
            ctx.Abort();
            return;
        }
        ctx.Response.Clear();
        ctx.Response.StatusCode = ErrorTable.Of(e.Kind).HttpStatus;
        try
        {
            await ComputeApi.WriteObject(ctx, w =>
            {
                w.WriteString("code", e.Code);
                w.WriteString("kind", e.Kind.ToString());
                w.WriteString("message", e.Message);
                if (e.JsonPath is not null) w.WriteString("jsonPath", e.JsonPath);
                if (e.Errno is int errno) w.WriteNumber("errno", errno);
                if (id is not null) w.WriteString("id", id);
            });
        }
        catch (Exception x) when (x is OperationCanceledException or IOException or JsonException)
        {
        }
    }
}
