using System.Text.Json;
using Carton.Compute;

namespace Carton.Client;

/// <summary>The daemon's error bodies (<c>{"code","kind","message","jsonPath"?,"errno"?,"id"?}</c>) back to the typed
/// exceptions the in-process service throws: the same type for the compute API's own errors, a
/// <see cref="ComputeException"/> with the same kind, code, errno and JSON path for the rest (<see cref="ErrorTable"/>).</summary>
public static class ErrorMapping
{
    public static async Task<ComputeException> ToExceptionAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var e = await ReadBodyAsync(response, ct).ConfigureAwait(false);
        return FromCode(e.Code, e.Message, e.JsonPath, e.Id, e.Kind, e.Errno);
    }

    /// <summary>An error body of a route outside the compute API (the network routes) back to a plain
    /// <see cref="CartonException"/> with the same kind, code, message, errno and JSON path: no compute-system type.</summary>
    public static async Task<CartonException> ToCartonExceptionAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var e = await ReadBodyAsync(response, ct).ConfigureAwait(false);
        return ToCartonException(e.Code, e.Kind, e.Message, e.JsonPath, e.Errno);
    }

    /// <summary>An error body met inside a stream (the error event that ends an image pull) back to the
    /// <see cref="CartonException"/> it was made from: the same kind, code, message, errno and JSON path.</summary>
    public static CartonException ToCartonException(string? code, string? kindName, string? message, string? jsonPath, int? errno)
    {
        var kind = kindName is not null && Enum.TryParse<ErrorKind>(kindName, ignoreCase: false, out var parsed) ? parsed
            : code is not null ? ErrorTable.KindOf(code)
            : ErrorKind.Internal;
        return ToCartonException(code ?? ErrorTable.Of(kind).Code, kind, message ?? "carton serve reported an error without a message", jsonPath, errno);
    }

    private static CartonException ToCartonException(string code, ErrorKind kind, string message, string? jsonPath, int? errno)
    {
        string? reason = null;
        if (jsonPath is not null)
        {
            var prefix = jsonPath + ": ";
            reason = message.StartsWith(prefix, StringComparison.Ordinal) ? message[prefix.Length..] : message;
        }
        return new CartonException(kind, message, errno: errno, jsonPath: jsonPath, reason: reason,
            code: code == ErrorTable.Of(kind).Code ? null : code);
    }

    private sealed record ErrorBody(string Code, ErrorKind Kind, string Message, string? JsonPath, string? Id, int? Errno);

    private static async Task<ErrorBody> ReadBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        byte[] body;
        try
        {
            body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            body = [];
        }
        string? code = null, message = null, jsonPath = null, bodyId = null, kindName = null;
        int? errno = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String) code = c.GetString();
                if (root.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String) kindName = k.GetString();
                if (root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String) message = m.GetString();
                if (root.TryGetProperty("jsonPath", out var p) && p.ValueKind == JsonValueKind.String) jsonPath = p.GetString();
                if (root.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String) bodyId = i.GetString();
                if (root.TryGetProperty("errno", out var n) && n.ValueKind == JsonValueKind.Number && n.TryGetInt32(out var en)) errno = en;
            }
        }
        catch (JsonException)
        {
        }
        var kind = kindName is not null && Enum.TryParse<ErrorKind>(kindName, ignoreCase: false, out var parsed) ? parsed
            : code is not null ? ErrorTable.KindOf(code)
            : ErrorTable.KindOfStatus((int)response.StatusCode);
        code ??= ErrorTable.Of(kind).Code;
        message ??= $"carton serve answered {(int)response.StatusCode} {response.ReasonPhrase}";
        return new ErrorBody(code, kind, message, jsonPath, bodyId, errno);
    }

    /// <summary>The typed exception for a wire code; <paramref name="kind"/> defaults to the code's.</summary>
    public static ComputeException FromCode(string code, string message, string? jsonPath, string? bodyId = null, ErrorKind? kind = null, int? errno = null)
    {
        var id = bodyId ?? QuotedId(message);
        switch (code)
        {
            case "NotFound" when id is not null:
                return new ComputeSystemNotFoundException(id);
            case "AlreadyExists" when id is not null:
                return new ComputeSystemAlreadyExistsException(id);
            case "AlreadyStopped" when id is not null:
                return new ComputeSystemAlreadyStoppedException(id);
            case "InvalidDocument":
                jsonPath ??= "$";
                var prefix = jsonPath + ": ";
                return new InvalidComputeDocumentException(jsonPath, message.StartsWith(prefix, StringComparison.Ordinal) ? message[prefix.Length..] : message);
            case "InvalidId":
                return new InvalidComputeSystemIdException(id ?? "", message);
            case "InvalidState" when id is not null && ParseState(message) is var (operation, state):
                return new InvalidComputeSystemStateException(id, state, operation);
            default:
                var k = kind ?? ErrorTable.KindOf(code);
                return new ComputeException(k, message, errno: errno, jsonPath: jsonPath,
                    code: code == ErrorTable.Of(k).Code ? null : code);
        }
    }

    /// <summary>The id in `compute system "ID"` (the wording of every typed error).</summary>
    private static string? QuotedId(string message)
    {
        const string marker = "compute system \"";
        int start = message.IndexOf(marker, StringComparison.Ordinal);
        if (start < 0) return null;
        start += marker.Length;
        int end = message.IndexOf('"', start);
        return end < 0 ? null : message[start..end];
    }

    /// <summary>`cannot OPERATION compute system "ID": it is STATE`.</summary>
    private static (string Operation, string State)? ParseState(string message)
    {
        const string head = "cannot ", mid = " compute system \"", tail = "\": it is ";
        if (!message.StartsWith(head, StringComparison.Ordinal)) return null;
        int m = message.IndexOf(mid, StringComparison.Ordinal);
        int t = message.LastIndexOf(tail, StringComparison.Ordinal);
        if (m < 0 || t < m) return null;
        return (message[head.Length..m], message[(t + tail.Length)..]);
    }
}
