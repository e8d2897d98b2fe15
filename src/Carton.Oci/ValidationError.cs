namespace Carton.Oci;

/// <summary>
/// One problem found in a spec. <see cref="Path"/> is the JSON path in config.json (e.g.
/// "mounts[2].destination") so users can find the offending field; empty for document-level errors.
/// </summary>
public sealed record ValidationError(string Path, string Message)
{
    public override string ToString() => string.IsNullOrEmpty(Path) ? Message : $"{Path}: {Message}";
}
