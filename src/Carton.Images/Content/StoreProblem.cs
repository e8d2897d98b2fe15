namespace Carton.Images.Content;

/// <summary>What <c>carton image check</c> found wrong, and so what <c>--repair</c> does about it.</summary>
public enum StoreProblemKind
{
    /// <summary>A blob whose content does not hash to its name, or whose size is not the one its descriptor says: deleted.</summary>
    CorruptBlob,
    /// <summary>A file under blobs/ that is not named by a digest: deleted.</summary>
    StrayFile,
    /// <summary>A name whose graph (index → manifests → config and layers) is incomplete or does not parse: the name is removed.</summary>
    BrokenName,
    /// <summary>An unpacked layer whose records do not match its chain ID, or that is incomplete: removed (with the layers over it).</summary>
    BrokenLayer,
    /// <summary>A container's active snapshot that is incomplete or stands on a missing layer: removed.</summary>
    BrokenSnapshot,
}

/// <summary>One problem: where (<paramref name="Path"/>), what it is (<paramref name="Subject"/>: a digest, a name, a
/// chain ID, a snapshot key), why, and the expected and found values when there are such.</summary>
public sealed record StoreProblem(StoreProblemKind Kind, string Path, string Subject, string Why, string? Expected = null, string? Found = null)
{
    public override string ToString() =>
        $"{Path}: {Subject}: {Why}" + (Expected is null ? "" : $" (expected {Expected}, found {Found ?? "nothing"})");
}
