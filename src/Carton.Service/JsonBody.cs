using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Carton.Service;

/// <summary>
/// How every daemon route reads its JSON body and writes its JSON answer (the compute, network and image APIs once had
/// a copy each). A body is read whole (Kestrel bounds it), screened as the Docker bodies are (<see
/// cref="Carton.Oci.JsonBodyScreen"/>: UTF-8, no null array entry; fuzzing found both, issue 15 §2), then bound; any
/// problem is an InvalidDocument error naming the JSON path (400). An answer is serialized whole before its first byte
/// goes out, so a failure is still an error body with its status.
/// </summary>
internal static class JsonBody
{
    /// <summary>The body's bytes.</summary>
    public static async Task<byte[]> ReadBytesAsync(HttpContext ctx)
    {
        using var buffer = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted);
        return buffer.ToArray();
    }

    /// <summary>The body bound to <typeparamref name="T"/>. An empty body, or a JSON null, is <paramref name="whenAbsent"/>'s
    /// value when given (routes whose options are all optional), else an error.</summary>
    public static async Task<T> ReadAsync<T>(HttpContext ctx, JsonTypeInfo<T> type, Func<T>? whenAbsent = null)
    {
        var body = await ReadBytesAsync(ctx);
        if (body.Length == 0 && whenAbsent is not null) return whenAbsent();
        if (Bind(body, type) is { } value) return value;
        return whenAbsent is not null ? whenAbsent() : throw Invalid("$", "a JSON object is required");
    }

    /// <summary>The body as a document, screened (for routes that look at one member).</summary>
    public static async Task<JsonDocument> ReadDocumentAsync(HttpContext ctx)
    {
        var body = await ReadBytesAsync(ctx);
        try
        {
            if (Carton.Oci.JsonBodyScreen.Find(body) is { } problem) throw Invalid(problem.Path, problem.Reason);
            return JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw Invalid("$", e.Message);
        }
    }

    private static T? Bind<T>(byte[] body, JsonTypeInfo<T> type)
    {
        try
        {
            if (Carton.Oci.JsonBodyScreen.Find(body) is { } problem) throw Invalid(problem.Path, problem.Reason);
            return JsonSerializer.Deserialize(body, type);
        }
        catch (JsonException e)
        {
            throw Invalid(e.Path ?? "$", e.Message);
        }
    }

    /// <summary>An InvalidDocument error (400) naming <paramref name="path"/>.</summary>
    public static CartonException Invalid(string path, string reason) =>
        new(ErrorKind.InvalidDocument, $"{path}: {reason}", jsonPath: path, reason: reason);

    /// <summary><paramref name="value"/> as the answer, application/json, with its length.</summary>
    public static async Task WriteAsync<T>(HttpContext ctx, T value, JsonTypeInfo<T> type)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, type);
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
    }
}
