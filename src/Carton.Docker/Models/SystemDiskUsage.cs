namespace Carton.Docker.Models;

/// <summary>GET /system/df's answer (swagger SystemDataUsageResponse).</summary>
public sealed class SystemDiskUsage
{
    public long LayersSize { get; set; }
    public List<ImageSummary> Images { get; set; } = [];
    public List<ContainerSummary> Containers { get; set; } = [];
    /// <summary>Empty until Carton has volumes.</summary>
    public List<Volume> Volumes { get; set; } = [];
    /// <summary>Carton does not build: always empty.</summary>
    public List<Dictionary<string, string>> BuildCache { get; set; } = [];
}
