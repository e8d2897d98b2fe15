using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Carton.Docker;

/// <summary>Reading and writing JSON bodies through <see cref="Models.DockerJsonContext"/> (source-generated: no reflection).</summary>
internal static class DockerJson
{
    /// <summary>Writes <paramref name="value"/> as the whole response body, with its length.</summary>
    public static async Task WriteAsync<T>(HttpContext ctx, T value, JsonTypeInfo<T> type, int status = StatusCodes.Status200OK)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, type);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        var line = Line(bytes, "\n");
        ctx.Response.ContentLength = line.Length;
        await ctx.Response.Body.WriteAsync(line, ctx.RequestAborted);
    }

    /// <summary>
    /// One JSON object of a streamed body and its line end, in one write and flushed, so in one HTTP chunk, as dockerd's
    /// json.Encoder and streamformatter write them: docker-py splits a stream chunk by chunk, and a chunk holding
    /// only the line end fails its decode (StreamParseError "Expecting value"; seen on events, load and push).
    /// </summary>
    public static async Task WriteLineAsync<T>(Stream body, T value, JsonTypeInfo<T> type, string lineEnd, CancellationToken ct)
    {
        await body.WriteAsync(Line(JsonSerializer.SerializeToUtf8Bytes(value, type), lineEnd), ct);
        await body.FlushAsync(ct);
    }

    private static byte[] Line(byte[] json, string lineEnd)
    {
        var line = new byte[json.Length + lineEnd.Length];
        json.CopyTo(line, 0);
        for (int i = 0; i < lineEnd.Length; i++) line[json.Length + i] = (byte)lineEnd[i];
        return line;
    }

    /// <summary>
    /// Reads the request body as <typeparamref name="T"/>. Unknown fields are ignored (as dockerd's Go decoder does);
    /// a body that is not JSON, or a field of the wrong type, is a 400 whose message names the field.
    /// </summary>
    public static async Task<T> ReadAsync<T>(HttpContext ctx, JsonTypeInfo<T> type) where T : class
    {
        // Buffered, to check what the binder lets through: bytes that are not UTF-8 (JsonDocument would throw
        // InvalidOperationException on them) and null array entries (bound as nulls that the translation
        // dereferences: "Env": [null]); both found by fuzzing, issue 15 §2. Bodies are small (Kestrel's limit).
        using var buffer = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted);
        var body = buffer.ToArray();
        try
        {
            if (Carton.Oci.JsonBodyScreen.Find(body) is { } problem)
                throw problem.Path == "$"
                    ? DockerErrors.BadRequest($"malformed JSON in the request body: {problem.Reason}", "$")
                    : DockerErrors.BadRequest($"field {problem.Path[2..]}: {problem.Reason}", problem.Path);
            return JsonSerializer.Deserialize(body, type)
                   ?? throw DockerErrors.BadRequest("the request body must be a JSON object, not null", "$");
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "the request body" : $"field {e.Path[2..]}";
            throw DockerErrors.BadRequest($"malformed JSON in {field}: {Reason(e)}", e.Path ?? "$");
        }
    }

    // The framework's message repeats the path and position; keep its first sentence.
    private static string Reason(JsonException e)
    {
        var text = e.Message;
        int cut = text.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? text[..cut] : text).TrimEnd('.');
    }
}
