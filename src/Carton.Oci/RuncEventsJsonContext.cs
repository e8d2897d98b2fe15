using System.Text.Json.Serialization;

namespace Carton.Oci;

/// <summary>
/// Source-generated (AOT-safe) JSON for `runc events` output: compact, one object per line, nulls omitted (except
/// network_interfaces, which runc writes as null). Use <c>CgroupStatsJsonContext.Default.CgroupEvent</c>.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CgroupEvent))]
[JsonSerializable(typeof(CgroupStats))]
public sealed partial class CgroupStatsJsonContext : JsonSerializerContext;
