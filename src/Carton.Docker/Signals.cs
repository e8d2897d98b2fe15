using Carton.Oci;

namespace Carton.Docker;

/// <summary>Signal names and numbers as the Docker API takes them: "SIGTERM", "term", "15" (any case, as dockerd).</summary>
internal static class Signals
{
    /// <summary>The signal's number, or 400 naming <paramref name="field"/>.</summary>
    public static int Parse(string text, string field) =>
        SignalNames.TryParse(text.Trim().ToUpperInvariant(), out int n) ? n : throw DockerErrors.BadRequest($"Invalid signal: {text}", field);
}
