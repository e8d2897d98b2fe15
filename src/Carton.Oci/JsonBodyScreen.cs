using System.Text.Json;
using System.Text.Unicode;

namespace Carton.Oci;

/// <summary>
/// What every reader of a JSON document from outside (a request body, a manifest, an image config) checks before it
/// binds the document, found missing by fuzzing (issue 15 §2): that the bytes are UTF-8 (JsonDocument does not check
/// the UTF-8 of strings, and reading such a property name throws InvalidOperationException, a 500), and that no array
/// holds a null (<see cref="JsonNullEntries"/>). Each reader turns the problem into its own typed error.
/// </summary>
public static class JsonBodyScreen
{
    /// <summary>A problem with a document: where ("$", "$.mounts[2]") and why.</summary>
    public readonly record struct Problem(string Path, string Reason);

    /// <summary>The first problem with <paramref name="body"/>, or null when there is none. Malformed JSON throws
    /// <see cref="JsonException"/>, as the binder would.</summary>
    public static Problem? Find(ReadOnlyMemory<byte> body)
    {
        if (!Utf8.IsValid(body.Span)) return new Problem("$", "not valid UTF-8");
        using var doc = JsonDocument.Parse(body);
        return JsonNullEntries.Find(doc.RootElement) is { } at ? new Problem(at, "must not be null") : null;
    }
}
