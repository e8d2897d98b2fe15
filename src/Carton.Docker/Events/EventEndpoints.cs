using System.Globalization;
using Carton.Docker.Models;

namespace Carton.Docker.Events;

/// <summary>
/// GET /events?since&amp;until&amp;filters: the events kept from <c>since</c> on (only when <c>since</c> is given,
/// as dockerd), then every new one as it happens, one JSON object per line, until <c>until</c> or the client leaves.
/// A past <c>until</c> ends the stream after the replay.
/// </summary>
internal static class EventEndpoints
{
    public static async Task Stream(DockerServices services, HttpContext ctx)
    {
        var filter = EventFilter.Parse(ctx);
        long? since = ParseNanos(Query.String(ctx, "since"), "since");
        long? until = ParseNanos(Query.String(ctx, "until"), "until");
        if (since is { } s && until is { } u && u < s)
            throw DockerErrors.BadRequest("since must be before until", "until");

        var (past, live) = services.Events.Subscribe();
        using var _ = live;
        var ct = ctx.RequestAborted;
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "application/json";
        // the headers go at once: the docker CLI shows nothing until it has them
        await ctx.Response.StartAsync(ct);
        await ctx.Response.Body.FlushAsync(ct);

        if (since is { } from)
            foreach (var e in past)
                if (e.TimeNano >= from && (until is null || e.TimeNano <= until) && filter.Includes(e))
                    await WriteAsync(ctx, e, ct);
        long now = NowNanos();
        if (until is { } end && end <= now) return;

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (until is { } stop) deadline.CancelAfter(TimeSpan.FromTicks(Math.Max(1, (stop - now) / 100)));
        try
        {
            await foreach (var e in live.Reader.ReadAllAsync(deadline.Token))
            {
                if (until is { } last && e.TimeNano > last) break;
                if (filter.Includes(e)) await WriteAsync(ctx, e, ct);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // until has come
        }
    }

    private static Task WriteAsync(HttpContext ctx, EventMessage e, CancellationToken ct) =>
        DockerJson.WriteLineAsync(ctx.Response.Body, e, DockerJsonContext.Wire.EventMessage, "\n", ct);

    private static long NowNanos() => (DateTimeOffset.UtcNow.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    /// <summary>since/until as the docker CLI sends them ("SECONDS.NANOSECONDS", or whole seconds), or RFC 3339, in
    /// Unix nanoseconds; absent or empty: null.</summary>
    internal static long? ParseNanos(string? value, string field)
    {
        if (string.IsNullOrEmpty(value)) return null;
        var parts = value.Split('.');
        if (parts.Length <= 2 && long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
            && (parts.Length == 1 || (parts[1].Length is > 0 and <= 9 && parts[1].All(char.IsAsciiDigit))))
        {
            long nanos = parts.Length == 2 ? long.Parse(parts[1].PadRight(9, '0'), CultureInfo.InvariantCulture) : 0;
            if (seconds is > -10_000_000_000 and < 10_000_000_000) return seconds * 1_000_000_000 + nanos;
        }
        // a date (RFC 3339, or its date alone): "1.2.3" would pass DateTimeOffset's lenient parse as 2003-01-02
        else if (value.Contains('-', StringComparison.Ordinal)
                 && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
            return (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        throw DockerErrors.BadRequest($"invalid value for \"{field}\": {value}", field);
    }
}
