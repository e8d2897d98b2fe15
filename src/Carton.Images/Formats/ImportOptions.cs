using Carton.Images.Model;

namespace Carton.Images.Formats;

/// <summary>How an archive is imported.</summary>
public sealed class ImportOptions
{
    /// <summary>The name to give the image, overriding the archive's names (an archive of one image only).</summary>
    public string? Name { get; set; }
}

/// <summary>One image an import stored: the names it got (none when the archive named it not and no name was given)
/// and its top-level descriptor (an index or a manifest) in the content store.</summary>
public sealed record ImportedImage(IReadOnlyList<string> Names, Descriptor Target);
