namespace Carton.Docker.Models;

/// <summary>A volume as the API shows it (swagger's Volume): inspect, the list, create's answer.</summary>
public sealed class Volume
{
    public string Name { get; set; } = "";
    public string Driver { get; set; } = "local";
    /// <summary>The volume's data directory on the host (VOLUMES/NAME/_data).</summary>
    public string Mountpoint { get; set; } = "";
    /// <summary>RFC 3339, as dockerd writes it.</summary>
    public string? CreatedAt { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
    /// <summary>Always "local": Carton has no swarm.</summary>
    public string Scope { get; set; } = "local";
    /// <summary>The driver options given at create (null, left out, when none).</summary>
    public Dictionary<string, string>? Options { get; set; }
    public VolumeUsageData? UsageData { get; set; }
}

/// <summary>Volume.UsageData (/system/df): size in bytes and the number of containers that reference it.</summary>
public sealed class VolumeUsageData
{
    public long Size { get; set; } = -1;
    public long RefCount { get; set; } = -1;
}

/// <summary>GET /volumes's answer.</summary>
public sealed class VolumeListResponse
{
    public List<Volume> Volumes { get; set; } = [];
    public List<string> Warnings { get; set; } = [];
}

/// <summary>POST /volumes/create's body (swagger's VolumeCreateOptions).</summary>
public sealed class VolumeCreateRequest
{
    public string? Name { get; set; }
    public string? Driver { get; set; }
    public Dictionary<string, string>? DriverOpts { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
}

/// <summary>POST /volumes/prune's answer.</summary>
public sealed class VolumePruneResponse
{
    public List<string> VolumesDeleted { get; set; } = [];
    public long SpaceReclaimed { get; set; }
}

/// <summary>What Carton keeps of a volume beside its data (VOLUMES/NAME/volume.json).</summary>
public sealed class VolumeRecord
{
    public string Name { get; set; } = "";
    public DateTime Created { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
    /// <summary>The local driver's options (type, o, device); empty: a plain directory.</summary>
    public Dictionary<string, string> Options { get; set; } = [];
}

/// <summary>A volume a container uses (ContainerRecord.Volumes): what inspect's Mounts shows and what removal with
/// v=1 looks at.</summary>
public sealed class ContainerVolume
{
    public string Name { get; set; } = "";
    /// <summary>The data directory bound into the container.</summary>
    public string Source { get; set; } = "";
    public string Destination { get; set; } = "";
    public bool RW { get; set; } = true;
    /// <summary>The Binds mode as given ("ro", "rw,nocopy"...), "" for Mounts and image volumes, as dockerd shows it.</summary>
    public string Mode { get; set; } = "";
}
