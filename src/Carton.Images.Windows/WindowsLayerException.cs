namespace Carton.Images.Windows;

/// <summary>
/// A Windows layer that could not be imported: the message names the layer, the tar entry and why
/// ("layer sha256:…: entry "Files/../x": "..": a name may not climb out of its folder"). <see cref="CartonException.Kind"/>
/// is InvalidDocument when the layer is at fault, Unsupported for a form of the format Carton does not handle, and
/// the kind of the underlying failure otherwise.
/// </summary>
public sealed class WindowsLayerException : CartonException
{
    /// <summary>A failure of layer <paramref name="layer"/>, at <paramref name="entry"/> when there is one.</summary>
    public WindowsLayerException(ErrorKind kind, string layer, string? entry, string reason, Exception? inner = null, string? check = null)
        : base(kind, entry is null ? $"layer {layer}: {reason}" : $"layer {layer}: entry \"{entry}\": {reason}", inner)
    {
        Layer = layer;
        Entry = entry;
        Why = reason;
        Check = check;
    }

    /// <summary>The layer's DiffID, or the caller's name for it.</summary>
    public string Layer { get; }

    /// <summary>The tar entry's name as the archive gives it, or null for the layer as a whole.</summary>
    public string? Entry { get; }

    /// <summary>Why, without the layer and entry.</summary>
    public string Why { get; }

    /// <summary>The defence that refused the entry (one of <see cref="ImportChecks"/>' names), when one did.</summary>
    public string? Check { get; }
}
