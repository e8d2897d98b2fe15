namespace Carton.Images.Linux.Unpack;

/// <summary>
/// A layer that could not be unpacked: the message names the layer (its DiffID when known), the tar entry and why,
/// "layer sha256:…: entry "etc/passwd": …". <see cref="CartonException.Kind"/> is InvalidDocument when the layer is at
/// fault (a path that leaves the root, a digest that does not match, a malformed tar), otherwise the kind of the
/// failed system call's errno.
/// </summary>
public sealed class LayerException : CartonException
{
    public LayerException(ErrorKind kind, string layer, string? entry, string reason, Exception? inner = null, int? errno = null)
        : base(kind, Compose(layer, entry, reason), inner, errno)
    {
        Layer = layer;
        Entry = entry;
        Why = reason;
    }

    /// <summary>The layer's DiffID, or the caller's name for it.</summary>
    public string Layer { get; }

    /// <summary>The tar entry's path as the archive gives it, or null for the layer as a whole.</summary>
    public string? Entry { get; }

    /// <summary>Why, without the layer and entry.</summary>
    public string Why { get; }

    private static string Compose(string layer, string? entry, string reason) =>
        entry is null ? $"layer {layer}: {reason}" : $"layer {layer}: entry \"{entry}\": {reason}";
}
