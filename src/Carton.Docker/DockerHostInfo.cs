namespace Carton.Docker;

/// <summary>
/// The host's facts that /info and /version report. Carton.Docker is platform-free and does not probe the host
/// itself: carton-serve (which links the Linux layer) fills this once at start.
/// </summary>
public sealed class DockerHostInfo
{
    /// <summary>Carton's version, reported as the engine's.</summary>
    public string Version { get; init; } = "0.1.0";

    /// <summary>A stable id of this daemon (Docker's daemon ID); the machine id where there is one.</summary>
    public string Id { get; init; } = "";

    /// <summary>The host name.</summary>
    public string Name { get; init; } = Environment.MachineName;

    /// <summary>`uname -r`.</summary>
    public string KernelVersion { get; init; } = "";

    /// <summary>The distribution's name (os-release PRETTY_NAME).</summary>
    public string OperatingSystem { get; init; } = "";

    /// <summary>The distribution's version (os-release VERSION_ID).</summary>
    public string OsVersion { get; init; } = "";

    /// <summary>`uname -m` (x86_64), as Docker's /info reports it.</summary>
    public string Machine { get; init; } = "";

    /// <summary>CPUs the daemon may use.</summary>
    public int Cpus { get; init; } = Environment.ProcessorCount;

    /// <summary>Total memory in bytes.</summary>
    public long MemoryBytes { get; init; }

    /// <summary>"1" or "2" (a hybrid host drives containers through its v1 hierarchies, so it reports "1").</summary>
    public string CgroupVersion { get; init; } = "2";

    /// <summary>"cgroupfs": Carton does not drive systemd.</summary>
    public string CgroupDriver { get; init; } = "cgroupfs";

    /// <summary>The runtime binary (carton), reported under Runtimes.</summary>
    public string RuntimePath { get; init; } = "carton";

    /// <summary>The persistent root (--image-root), reported as DockerRootDir.</summary>
    public string RootDirectory { get; init; } = "";

    /// <summary>Things the host lacks that the user should know (printed by `docker info` at the end).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
