using System.Text.Json.Serialization;

namespace Carton.Windows.Network;

/// <summary>
/// Source-generated JSON for HCN's documents. Names are read case-insensitively because HNS's own spellings vary
/// ("ID" in the schema reference and HNS's answers, "Id" in the older schema page, "IPConfigurations" against
/// "IpConfigurations"); absent fields stay absent when written (HNS treats a present empty value as a request).
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(HostComputeNetwork))]
[JsonSerializable(typeof(HostComputeEndpoint))]
[JsonSerializable(typeof(HostComputeNamespace))]
[JsonSerializable(typeof(HcnModifyNamespaceSettingRequest))]
[JsonSerializable(typeof(HcnPortMappingPolicySetting))]
[JsonSerializable(typeof(HostComputeQuery))]
[JsonSerializable(typeof(HcnErrorRecord))]
[JsonSerializable(typeof(List<string>))]
public sealed partial class HcnJsonContext : JsonSerializerContext;
