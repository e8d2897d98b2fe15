using System.Text.Json.Serialization;

namespace Carton.Compute;

/// <summary>Source-generated JSON for every type the compute API exchanges (in-process persistence and the daemon's wire format).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ComputeSystemDocument))]
[JsonSerializable(typeof(ProcessParameters))]
[JsonSerializable(typeof(ComputeSystemQuery))]
[JsonSerializable(typeof(ComputeSystemSummary))]
[JsonSerializable(typeof(List<ComputeSystemSummary>))]
[JsonSerializable(typeof(ComputeSystemProperties))]
[JsonSerializable(typeof(ComputeSystemEvent))]
[JsonSerializable(typeof(ComputeResources))]
[JsonSerializable(typeof(ComputeStatistics))]
[JsonSerializable(typeof(Carton.Oci.LinuxResources))]
[JsonSerializable(typeof(Carton.Oci.CgroupStats))]
public sealed partial class ComputeJsonContext : JsonSerializerContext;
