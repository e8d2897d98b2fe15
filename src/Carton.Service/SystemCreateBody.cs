using System.Text.Json;
using Carton.Compute;

namespace Carton.Service;

/// <summary>
/// The body of POST /v1/systems: <c>{"id": "...", "document": ComputeSystemDocument}</c>. Its own file so the parse
/// (outside input, fuzzed by tests/Carton.Fuzz.Tests) is one function of the bytes, apart from the HTTP handler.
/// </summary>
public static class SystemCreateBody
{
    /// <summary>The id and document of a create body.</summary>
    /// <exception cref="InvalidComputeDocumentException">not JSON, no string id, no document object, or a field of
    /// the document of the wrong type (the path names it under $.document)</exception>
    public static (string Id, ComputeSystemDocument Document) Parse(JsonElement root)
    {
        // JsonDocument does not check the UTF-8 inside strings: reading one that is not UTF-8 throws
        // InvalidOperationException (found by fuzzing, issue 15 §2), which is the client's error, not the daemon's.
        try { return ParseValid(root); }
        catch (InvalidOperationException e) when (e.InnerException is System.Text.DecoderFallbackException)
        {
            throw new InvalidComputeDocumentException("$", "not valid UTF-8");
        }
    }

    private static (string Id, ComputeSystemDocument Document) ParseValid(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.String)
            throw new InvalidComputeDocumentException("$.id", "a string id is required");
        if (!root.TryGetProperty("document", out var docElement) || docElement.ValueKind != JsonValueKind.Object)
            throw new InvalidComputeDocumentException("$.document", "a document object is required");
        // a null array entry binds to a null the service would dereference (found by fuzzing)
        if (Carton.Oci.JsonNullEntries.Find(docElement) is { } nullAt)
            throw new InvalidComputeDocumentException("$.document" + nullAt[1..], "must not be null");
        try
        {
            var document = docElement.Deserialize(ComputeJsonContext.Default.ComputeSystemDocument)
                           ?? throw new InvalidComputeDocumentException("$.document", "a document object is required");
            return (idElement.GetString()!, document);
        }
        catch (JsonException e)
        {
            throw new InvalidComputeDocumentException("$.document" + (e.Path is { Length: > 1 } p ? p[1..] : ""), e.Message);
        }
    }

    /// <summary>The id and document of a create body given as bytes (what the handler reads).</summary>
    public static (string Id, ComputeSystemDocument Document) Parse(byte[] body)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(body); }
        catch (JsonException e) { throw new InvalidComputeDocumentException("$", e.Message); }
        using (doc) return Parse(doc.RootElement);
    }
}
