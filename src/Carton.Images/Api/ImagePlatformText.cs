using Carton.Images.Model;

namespace Carton.Images.Api;

/// <summary>"os/architecture[/variant]" as the API takes a platform (the CLI's --platform grammar).</summary>
public static class ImagePlatformText
{
    /// <summary>Parses <paramref name="text"/>; an error is InvalidDocument naming <paramref name="field"/> and the value.</summary>
    public static Platform Parse(string text, string field)
    {
        var parts = text.Split('/');
        if (parts.Length is < 2 or > 3 || parts.Any(p => p.Length == 0))
        {
            var reason = $"\"{text}\" is not os/architecture[/variant]";
            throw new CartonException(ErrorKind.InvalidDocument, $"{field}: {reason}", jsonPath: field, reason: reason);
        }
        return new Platform { Os = parts[0], Architecture = parts[1], Variant = parts.Length == 3 ? parts[2] : null };
    }
}
