using Carton.Images.Model;

namespace Carton.Docker.Models;

/// <summary>GET /images/{name}/json (swagger ImageInspect).</summary>
public sealed class ImageInspect
{
    public string Id { get; set; } = "";
    public List<string> RepoTags { get; set; } = [];
    public List<string> RepoDigests { get; set; } = [];
    public string Parent { get; set; } = "";
    public string Comment { get; set; } = "";
    /// <summary>RFC 3339, the config's "created" as written.</summary>
    public string? Created { get; set; }
    public string DockerVersion { get; set; } = "";
    public string Author { get; set; } = "";
    /// <summary>The image config's "config" (Cmd, Entrypoint, Env, WorkingDir, User, Labels, ExposedPorts...), as stored.</summary>
    public ContainerConfig Config { get; set; } = new();
    public string Architecture { get; set; } = "";
    public string? Variant { get; set; }
    public string Os { get; set; } = "";
    public string? OsVersion { get; set; }
    public long Size { get; set; }
    /// <summary>Only for API versions before 1.44, which still had it (equal to Size).</summary>
    public long? VirtualSize { get; set; }
    public GraphDriverData GraphDriver { get; set; } = new();
    public ImageRootFs RootFS { get; set; } = new();
    public ImageMetadata Metadata { get; set; } = new();
}

/// <summary>ImageInspect.GraphDriver: Carton's overlayfs snapshotter.</summary>
public sealed class GraphDriverData
{
    public string Name { get; set; } = "";
    public Dictionary<string, string> Data { get; set; } = [];
}

/// <summary>ImageInspect.RootFS: the layers' diff ids, bottom first.</summary>
public sealed class ImageRootFs
{
    public string Type { get; set; } = "layers";
    public List<string> Layers { get; set; } = [];
}

/// <summary>ImageInspect.Metadata.</summary>
public sealed class ImageMetadata
{
    /// <summary>When the image was last tagged; Carton does not record it (null, as dockerd for an image never tagged locally).</summary>
    public string? LastTagTime { get; set; }
}
