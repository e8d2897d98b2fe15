using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "ModifySettingRequest": the document HcsModifyComputeSystem takes, adding, removing or updating one
/// resource of a running system. Settings stays JSON because its type depends on <see cref="ResourcePath"/>; the
/// factories build the ones in use with the source-generated context.</summary>
public sealed class ModifySettingRequest
{
    /// <summary>The resource (see <see cref="ContainerResourcePath"/>).</summary>
    public string? ResourcePath { get; set; }
    /// <summary>"Add", "Remove" or "Update" (see <see cref="ModifyRequestType"/>).</summary>
    public string? RequestType { get; set; }
    /// <summary>The resource's settings, a document of the type the resource path names.</summary>
    public JsonElement? Settings { get; set; }
    /// <summary>A request forwarded to the guest (Hyper-V isolation), kept as JSON.</summary>
    public JsonElement? GuestRequest { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>A request that adds a mapped directory to a running container.</summary>
    /// <param name="directory">The directory to map.</param>
    public static ModifySettingRequest AddMappedDirectory(MappedDirectory directory) =>
        Make(ContainerResourcePath.MappedDirectories, ModifyRequestType.Add,
            JsonSerializer.SerializeToElement(directory, HcsSchemaJsonContext.Default.MappedDirectory));

    /// <summary>A request that removes a mapped directory from a running container.</summary>
    /// <param name="directory">The directory, as it was added.</param>
    public static ModifySettingRequest RemoveMappedDirectory(MappedDirectory directory) =>
        Make(ContainerResourcePath.MappedDirectories, ModifyRequestType.Remove,
            JsonSerializer.SerializeToElement(directory, HcsSchemaJsonContext.Default.MappedDirectory));

    /// <summary>A request that changes a running container's memory limit.</summary>
    /// <param name="sizeInMB">The new limit in MiB.</param>
    public static ModifySettingRequest UpdateMemory(ulong sizeInMB) =>
        Make(ContainerResourcePath.MemorySizeInMB, ModifyRequestType.Update,
            JsonSerializer.SerializeToElement(sizeInMB, HcsSchemaJsonContext.Default.UInt64));

    /// <summary>A request that changes a running container's processor limits.</summary>
    /// <param name="processor">The new limits.</param>
    public static ModifySettingRequest UpdateProcessor(Processor processor) =>
        Make(ContainerResourcePath.Processor, ModifyRequestType.Update,
            JsonSerializer.SerializeToElement(processor, HcsSchemaJsonContext.Default.Processor));

    private static ModifySettingRequest Make(string path, string type, JsonElement settings) =>
        new() { ResourcePath = path, RequestType = type, Settings = settings };
}
