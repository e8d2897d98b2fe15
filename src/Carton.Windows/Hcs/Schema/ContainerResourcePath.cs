namespace Carton.Windows.Hcs.Schema;

/// <summary>The <see cref="ModifySettingRequest.ResourcePath"/> values of a process-isolated container's resources, as
/// hcsshim's resourcepaths names them for silos.</summary>
public static class ContainerResourcePath
{
    /// <summary>A <see cref="MappedDirectory"/>.</summary>
    public const string MappedDirectories = "Container/MappedDirectories";
    /// <summary>A <see cref="MappedPipe"/>.</summary>
    public const string MappedPipes = "Container/MappedPipes";
    /// <summary>The memory limit in MiB (Settings is a number).</summary>
    public const string MemorySizeInMB = "Container/Memory/SizeInMB";
    /// <summary>The <see cref="Processor"/> limits.</summary>
    public const string Processor = "Container/Processor";
}
