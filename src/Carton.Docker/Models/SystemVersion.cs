namespace Carton.Docker.Models;

/// <summary>GET /version (swagger SystemVersion). Property names are Docker's, as declared.</summary>
public sealed class SystemVersion
{
    public VersionPlatform Platform { get; set; } = new();
    public List<VersionComponent> Components { get; set; } = [];
    public string Version { get; set; } = "";
    public string ApiVersion { get; set; } = "";
    public string MinAPIVersion { get; set; } = "";
    public string GitCommit { get; set; } = "";
    /// <summary>Docker's Go version; Carton reports its .NET runtime here, the nearest equivalent.</summary>
    public string GoVersion { get; set; } = "";
    public string Os { get; set; } = "";
    public string Arch { get; set; } = "";
    public string KernelVersion { get; set; } = "";
    public bool? Experimental { get; set; }
    public string BuildTime { get; set; } = "";
}

/// <summary>SystemVersion.Platform.</summary>
public sealed class VersionPlatform
{
    public string Name { get; set; } = "";
}

/// <summary>One entry of SystemVersion.Components ("Engine", the runtime...).</summary>
public sealed class VersionComponent
{
    public string Name { get; set; } = "";
    public string Version { get; set; } = "";
    public Dictionary<string, string>? Details { get; set; }
}
