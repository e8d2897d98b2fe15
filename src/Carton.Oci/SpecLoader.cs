using System.Text.Json;

namespace Carton.Oci;

/// <summary>
/// Reads a bundle's config.json (bundle.md) into a <see cref="Spec"/>, turning every failure
/// into a <see cref="SpecException"/> whose message names the file, the JSON path and the reason,
/// so a CLI can print it verbatim.
/// </summary>
public static class SpecLoader
{
    /// <summary>
    /// Loads and (by default) validates <paramref name="configPath"/>. Relative root.path is
    /// checked against the directory holding config.json (the bundle directory).
    /// </summary>
    public static Spec Load(string configPath, bool validate = true)
    {
        var file = Path.GetFileName(configPath);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(configPath);
        }
        catch (FileNotFoundException)
        {
            throw new SpecException($"{file}: no such file: {configPath}");
        }
        catch (DirectoryNotFoundException)
        {
            throw new SpecException($"{file}: no such file: {configPath}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SpecException($"{file}: cannot read {configPath}: {e.Message}", e);
        }

        var spec = Parse(bytes, file);
        if (validate)
        {
            var bundleDir = Path.GetDirectoryName(Path.GetFullPath(configPath));
            ThrowIfInvalid(spec, bundleDir, file);
        }
        return spec;
    }

    /// <summary>Parses config.json text without validating. <paramref name="fileName"/> prefixes messages.</summary>
    public static Spec Parse(string json, string fileName = "config.json") =>
        Parse(System.Text.Encoding.UTF8.GetBytes(json), fileName);

    /// <summary>Parses UTF-8 config.json bytes without validating.</summary>
    public static Spec Parse(ReadOnlySpan<byte> utf8, string fileName = "config.json")
    {
        // Pass 1: syntax only, so syntax errors and type errors get different, precise messages
        // (a JsonException from the serializer does not say which of the two it is).
        try
        {
            using var doc = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { AllowTrailingCommas = false });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new SpecException($"{fileName}: must be a JSON object, not {Describe(doc.RootElement.ValueKind)}");
        }
        catch (JsonException e)
        {
            throw new SpecException(
                $"{fileName}: invalid JSON at line {e.LineNumber + 1} position {e.BytePositionInLine + 1}: {StripLocation(e.Message)}", e);
        }

        // Pass 2: bind to the model; failures here are type mismatches at JsonException.Path.
        try
        {
            return JsonSerializer.Deserialize(utf8, OciJsonContext.Default.Spec)
                   ?? throw new SpecException($"{fileName}: must be a JSON object, not null");
        }
        catch (JsonException e)
        {
            var path = ToSpecPath(e.Path);
            var where = e.LineNumber is { } l ? $" (line {l + 1} position {(e.BytePositionInLine ?? 0) + 1})" : "";
            throw new SpecException($"{fileName}: {(path.Length == 0 ? "" : path + ": ")}invalid value{where}: {StripLocation(e.Message)}", e);
        }
    }

    /// <summary>Validates and throws a <see cref="SpecException"/> listing every error (one per line).</summary>
    public static void ThrowIfInvalid(Spec spec, string? bundleDir, string fileName = "config.json")
    {
        var errors = SpecValidator.Validate(spec, bundleDir);
        if (errors.Count > 0)
            throw new SpecException(string.Join('\n', errors.Select(e => $"{fileName}: {e}")), errors);
    }

    /// <summary>"$.process.user.uid" -> "process.user.uid"; "$['a.b']" kept readable.</summary>
    internal static string ToSpecPath(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$") return "";
        var p = jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..]
              : jsonPath.StartsWith('$') ? jsonPath[1..] : jsonPath;
        return p;
    }

    /// <summary>Drops System.Text.Json's " Path: $ | LineNumber: 0 | BytePositionInLine: 5." suffix.</summary>
    private static string StripLocation(string message)
    {
        foreach (var marker in new[] { " Path: ", " LineNumber: " })
        {
            var i = message.IndexOf(marker, StringComparison.Ordinal);
            if (i >= 0) message = message[..i];
        }
        return message.TrimEnd().TrimEnd('.', '|', ' ');
    }

    private static string Describe(JsonValueKind k) => k switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => k.ToString(),
    };
}
