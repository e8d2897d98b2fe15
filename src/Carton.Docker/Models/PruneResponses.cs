namespace Carton.Docker.Models;

/// <summary>POST /containers/prune's answer.</summary>
public sealed class ContainerPruneResponse
{
    public List<string>? ContainersDeleted { get; set; }
    public long SpaceReclaimed { get; set; }
}

/// <summary>POST /networks/prune's answer.</summary>
public sealed class NetworkPruneResponse
{
    public List<string>? NetworksDeleted { get; set; }
}

/// <summary>POST /images/prune's answer.</summary>
public sealed class ImagePruneResponse
{
    public List<ImageDeleteResponseItem>? ImagesDeleted { get; set; }
    public long SpaceReclaimed { get; set; }
}

/// <summary>POST /build/prune's answer (swagger BuildCachePruneResponse).</summary>
public sealed class BuildCachePruneResponse
{
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)]
    public List<string> CachesDeleted { get; set; } = [];
    public long SpaceReclaimed { get; set; }
}
