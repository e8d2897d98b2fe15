namespace Carton.Docker.Models;

/// <summary>One entry of GET /images/json (swagger ImageSummary).</summary>
public sealed class ImageSummary
{
    /// <summary>"sha256:" + the config's digest: Docker's image id.</summary>
    public string Id { get; set; } = "";
    public string ParentId { get; set; } = "";
    public List<string> RepoTags { get; set; } = [];
    public List<string> RepoDigests { get; set; } = [];
    /// <summary>Unix seconds, from the config's "created".</summary>
    public long Created { get; set; }
    public long Size { get; set; }
    /// <summary>-1: not computed (Docker's value unless ?shared-size=1).</summary>
    public long SharedSize { get; set; } = -1;
    /// <summary>Only for API versions before 1.44, which still had it (equal to Size).</summary>
    public long? VirtualSize { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    /// <summary>-1: not computed (Docker's value).</summary>
    public int Containers { get; set; } = -1;
}
