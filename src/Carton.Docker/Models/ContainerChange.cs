namespace Carton.Docker.Models;

/// <summary>One item of GET /containers/{id}/changes (swagger FilesystemChange).</summary>
public sealed class ContainerChange
{
    public string Path { get; set; } = "";
    /// <summary>0 modified, 1 added, 2 deleted.</summary>
    public int Kind { get; set; }

    public const int Modified = 0, Added = 1, Deleted = 2;
}
