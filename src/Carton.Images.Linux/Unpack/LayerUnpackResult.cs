namespace Carton.Images.Linux.Unpack;

/// <summary>What an unpack did.</summary>
/// <param name="DiffId">sha256 (or sha512, as the expected DiffID) of the uncompressed tar, every byte read.</param>
/// <param name="Entries">Tar entries processed (whiteouts included).</param>
/// <param name="Bytes">Bytes of file content written.</param>
/// <param name="Warnings">What was skipped and why (device nodes when rootless, xattrs the file system or the
/// kernel refused, overlay's own xattrs), one line each, naming the entry.</param>
public sealed record LayerUnpackResult(string DiffId, long Entries, long Bytes, IReadOnlyList<string> Warnings);
