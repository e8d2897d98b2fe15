using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;
using Carton.Images;
using Carton.Images.Api;
using Carton.Images.Content;
using Carton.Images.Registry;

namespace Carton.Service;

/// <summary>
/// The image routes (issue 16 §6): the daemon's image store (--image-root) as `carton image` drives it in-process:
/// pull (progress streamed as x-ndjson <see cref="ImageTransferEvent"/>s), list, inspect, tag, remove. JSON through
/// <see cref="ImageApiJsonContext"/>. Errors are the store's <see cref="CartonException"/>s, mapped by
/// <see cref="ErrorAndLogMiddleware"/> like every other route's (no such image 404, a bad reference 400 naming it);
/// a pull that fails once its stream has started ends the stream with an error event of the same body instead.
/// A reference is one path segment: its slashes are sent as %2F.
/// </summary>
public static class ImageApi
{
    private delegate Task Handler(ImageStore store, HttpContext ctx, CancellationToken stopping);

    /// <summary>The context on the wire: media types keep their '+' (the default encoder writes \u002B, which is
    /// valid JSON but unreadable in a curl); the answers are JSON documents, never HTML.</summary>
    private static readonly ImageApiJsonContext Wire = new(new JsonSerializerOptions(ImageApiJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>The routes, in one table: <see cref="Map"/> maps exactly these and <see cref="Routes"/> lists them
    /// (openapi.json is checked against it).</summary>
    private static readonly (string Method, string Pattern, Handler Handle)[] Table =
    [
        ("POST", "/v1/images/pull", Pull),
        ("GET", "/v1/images", async (store, ctx, _) =>
            await JsonBody.WriteAsync(ctx, [.. store.List().Select(r => new ImageSummary
            {
                Name = r.Name, Digest = r.Target.Digest, MediaType = r.Target.MediaType, Size = r.Target.Size,
            })], Wire.ListImageSummary)),
        ("GET", "/v1/images/{ref}", async (store, ctx, _) =>
        {
            var name = Reference(ctx);
            var platform = ctx.Request.Query.TryGetValue("platform", out var p) && p.Count > 0 && p[0] is { } text
                ? ImagePlatformText.Parse(text, "platform") : null;
            await JsonBody.WriteAsync(ctx, ImageDetails.Of(store.Inspect(name, platform)), Wire.ImageDetails);
        }),
        ("POST", "/v1/images/{ref}/tag", async (store, ctx, _) =>
        {
            var source = Reference(ctx);
            var body = await JsonBody.ReadAsync(ctx, ImageApiJsonContext.Default.ImageTagRequest);
            var target = ParseReference(body.Target, "$.target");
            var name = await store.TagAsync(source, target, ctx.RequestAborted);
            await JsonBody.WriteAsync(ctx, new ImageTagResult { Name = name }, Wire.ImageTagResult);
        }),
        ("POST", "/v1/images/{ref}/push", Push),
        ("POST", "/v1/images/prune", async (store, ctx, _) =>
        {
            var request = await JsonBody.ReadAsync(ctx, ImageApiJsonContext.Default.ImagePruneRequest, () => new ImagePruneRequest());
            var result = await Carton.Images.Linux.Maintenance.ImagePruner.PruneAsync(store, request.All, ctx.RequestAborted);
            await JsonBody.WriteAsync(ctx, new ImagePruneResponse
            {
                RemovedNames = [.. result.RemovedNames],
                RemovedBlobs = [.. result.RemovedBlobs.Select(b => new ImagePrunedItem { Id = b.Digest.ToString(), Size = b.Size })],
                RemovedLayers = [.. result.RemovedLayers.Select(l => new ImagePrunedItem { Id = l.ChainId, Size = l.Size })],
                ReclaimedBytes = result.ReclaimedBytes,
            }, Wire.ImagePruneResponse);
        }),
        ("DELETE", "/v1/images/{ref}", async (store, ctx, _) =>
        {
            var name = Reference(ctx);
            if (!await store.RemoveAsync(name, ctx.RequestAborted))
                throw new CartonException(ErrorKind.NotFound, $"image {name}: no such image in {store.Root}");
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
        }),
    ];

    /// <summary>Every route <see cref="Map"/> maps, as "METHOD /pattern".</summary>
    public static IReadOnlyList<string> Routes { get; } = [.. Table.Select(r => $"{r.Method} {r.Pattern}")];

    /// <summary>Maps the image routes over <paramref name="store"/>.</summary>
    public static void Map(WebApplication app, ImageStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var stopping = app.Lifetime.ApplicationStopping;
        foreach (var (method, pattern, handle) in Table)
            app.MapMethods(pattern, [method], (RequestDelegate)(ctx => handle(store, ctx, stopping)));
    }

    /// <summary>
    /// Checks the request whole first (a bad reference, platform or credentials is a 400 with its field, before any
    /// byte of the stream), then streams the pull's progress as it happens and ends with a result or an error event.
    /// The pull runs under the request: a client that goes away cancels it, and the store's ingest sessions then
    /// delete their partial files; a stopping daemon ends it with an Unavailable error event.
    /// </summary>
    private static async Task Pull(ImageStore store, HttpContext ctx, CancellationToken stopping)
    {
        var request = await JsonBody.ReadAsync(ctx, ImageApiJsonContext.Default.ImagePullRequest);
        var reference = ParseReference(request.Reference, "$.reference");
        var options = new RegistryOptions
        {
            Platform = request.Platform is { } p ? ImagePlatformText.Parse(p, "$.platform") : null,
            Credentials = Credentials(request.Credentials),
        };

        await StreamTransfer(ctx, stopping, $"pull {reference}", async (events, ct) =>
            ImageTransferEvent.Result(await store.PullAsync(reference, options, new ChannelProgress<PullProgress>(events, ImageTransferEvent.Progress), ct)));
    }

    /// <summary>
    /// A push, as a pull: the request checked whole first, then the push's progress streamed and a result or an error
    /// event at the end. The image must be in the store (NotFound, 404, before the stream starts).
    /// </summary>
    private static async Task Push(ImageStore store, HttpContext ctx, CancellationToken stopping)
    {
        var reference = Reference(ctx);
        var request = await JsonBody.ReadAsync(ctx, ImageApiJsonContext.Default.ImagePushRequest, () => new ImagePushRequest());
        var options = new RegistryOptions { Credentials = Credentials(request.Credentials) };
        if (store.Get(reference) is null)
            throw new CartonException(ErrorKind.NotFound, $"image {reference}: no such image in {store.Root} (pull, import or tag it first)");
        await StreamTransfer(ctx, stopping, $"push {reference}", async (events, ct) =>
            ImageTransferEvent.Result(await store.PushAsync(reference, options, new ChannelProgress<PushProgress>(events, ImageTransferEvent.Progress), ct)));
    }

    /// <summary>The credentials of a request body, checked (a user name is required and has no ':').</summary>
    private static RegistryCredentials? Credentials(ImageRegistryCredentials? c)
    {
        if (c is null) return null;
        if (c.Username is not { Length: > 0 } user || user.Contains(':', StringComparison.Ordinal))
            throw Invalid("$.credentials.username", "a non-empty user name without ':' is required");
        return new RegistryCredentials(user, c.Password ?? "");
    }

    /// <summary>
    /// Streams a transfer (pull or push) as x-ndjson events: starts the 200 response, runs <paramref name="run"/>
    /// (whose progress goes into the channel it is given and whose result is the last event), and turns its failure
    /// into an error event. The transfer runs under the request: a client that goes away cancels it (the store's
    /// ingest sessions then delete their partial files); a stopping daemon ends it with an Unavailable error event.
    /// </summary>
    private static async Task StreamTransfer(HttpContext ctx, CancellationToken stopping, string what,
        Func<ChannelWriter<ImageTransferEvent>, CancellationToken, Task<ImageTransferEvent>> run)
    {
        ctx.Response.ContentType = "application/x-ndjson";
        ctx.Response.Headers.CacheControl = "no-cache";
        await ctx.Response.StartAsync(ctx.RequestAborted);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);

        // The registry client reports from several transfers at once; the channel puts the reports in one line-up
        // for the one writer of the response, in the order they were made.
        var events = Channel.CreateUnbounded<ImageTransferEvent>(new UnboundedChannelOptions { SingleReader = true });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
        var pull = Task.Run(async () =>
        {
            try
            {
                events.Writer.TryWrite(await run(events.Writer, cts.Token));
            }
            catch (CartonException e)
            {
                events.Writer.TryWrite(ImageTransferEvent.Failure(e));
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested && !ctx.RequestAborted.IsCancellationRequested)
            {
                events.Writer.TryWrite(ImageTransferEvent.Failure(
                    new CartonException(ErrorKind.Unavailable, "carton serve is shutting down", code: "ShuttingDown")));
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                // the client went away: nobody to tell
            }
            catch (Exception e) when (IoErrors.IsOutOfSpace(e))
            {
                events.Writer.TryWrite(ImageTransferEvent.Failure(IoErrors.OutOfSpace(what, e)));
            }
            catch (Exception e)
            {
                JsonLog.Error("unhandled error", w => { w.WriteString("path", ctx.Request.Path.Value); w.WriteString("exception", e.ToString()); });
                events.Writer.TryWrite(ImageTransferEvent.Failure(
                    new CartonException(ErrorKind.Internal, "internal error in carton serve (details are in its log)", code: "Internal")));
            }
            finally
            {
                events.Writer.TryComplete();
            }
        }, CancellationToken.None);

        try
        {
            await foreach (var e in events.Reader.ReadAllAsync(ctx.RequestAborted))
            {
                await ctx.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(e, Wire.ImageTransferEvent), ctx.RequestAborted);
                await ctx.Response.Body.WriteAsync("\n"u8.ToArray(), ctx.RequestAborted);
                await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            }
        }
        finally
        {
            // the client left (or writing failed): stop the pull and let it clean up before the request ends
            await cts.CancelAsync();
            await pull;
        }
    }

    /// <summary>Progress reports straight into the channel, on the reporting thread (<see cref="Progress{T}"/> would
    /// post them to the thread pool, out of order).</summary>
    private sealed class ChannelProgress<T>(ChannelWriter<ImageTransferEvent> writer, Func<T, ImageTransferEvent> toEvent) : IProgress<T>
    {
        public void Report(T value) => writer.TryWrite(toEvent(value));
    }

    /// <summary>The {ref} segment, with its %2F back to slashes, checked as a reference (400 naming it when it is not one).</summary>
    private static string Reference(HttpContext ctx)
    {
        var raw = (string)ctx.Request.RouteValues["ref"]!;
        return ParseReference(raw.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase), "ref");
    }

    /// <summary>A reference field: required, and valid (the parser's message says what is wrong and quotes it).</summary>
    private static string ParseReference(string? text, string field)
    {
        if (text is not { Length: > 0 }) throw Invalid(field, "an image reference is required");
        try
        {
            ImageReference.Parse(text);
            return text;
        }
        catch (CartonException e) when (e.Kind == ErrorKind.InvalidDocument)
        {
            throw Invalid(field, e.Message);
        }
    }

    private static CartonException Invalid(string path, string reason) => JsonBody.Invalid(path, reason);
}
