namespace Carton.Images.Content;

/// <summary>A blob a prune or a repair deleted, and the bytes it took.</summary>
public sealed record RemovedBlob(Digest Digest, long Size);
