namespace Carton.Docker.Models;

/// <summary>One line of DELETE /images/{name}'s answer: a name removed, or an image id gone.</summary>
public sealed class ImageDeleteResponseItem
{
    public string? Untagged { get; set; }
    public string? Deleted { get; set; }
}
