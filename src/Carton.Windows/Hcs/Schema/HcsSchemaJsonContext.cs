using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Source-generated JSON metadata of the HCS schema v2 types (NativeAOT: no reflection serialization). Nulls
/// are omitted, the counterpart of hcsshim's omitempty: HCS rejects some fields that are present but empty. No naming
/// policy: the C# property names are the schema's PascalCase names. Compact output, as HCS takes it.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ComputeSystem))]
[JsonSerializable(typeof(HostedSystem))]
[JsonSerializable(typeof(Container))]
[JsonSerializable(typeof(VirtualMachine))]
[JsonSerializable(typeof(ProcessParameters))]
[JsonSerializable(typeof(ProcessStatus))]
[JsonSerializable(typeof(ProcessModifyRequest))]
[JsonSerializable(typeof(Properties))]
[JsonSerializable(typeof(Statistics))]
[JsonSerializable(typeof(PropertyQuery))]
[JsonSerializable(typeof(ModifySettingRequest))]
[JsonSerializable(typeof(MappedDirectory))]
[JsonSerializable(typeof(MappedPipe))]
[JsonSerializable(typeof(Processor))]
[JsonSerializable(typeof(Memory))]
[JsonSerializable(typeof(RegistryChanges))]
[JsonSerializable(typeof(ulong))]
public partial class HcsSchemaJsonContext : JsonSerializerContext;
