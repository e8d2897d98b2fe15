namespace Carton.Compute.Windows.Translation;

/// <summary>The two ways a translation refuses a spec: the spec is wrong (InvalidDocument, naming the JSON path), or it
/// asks for something the Windows backend does not do (Unsupported, naming the path and why).</summary>
internal static class TranslationErrors
{
    public static InvalidComputeDocumentException Invalid(string jsonPath, string why) => new(jsonPath, why);

    public static ComputeException Unsupported(string jsonPath, string why) =>
        new(ErrorKind.Unsupported, $"{jsonPath}: {why}", jsonPath: jsonPath, reason: why);
}
