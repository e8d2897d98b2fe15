using System.Text.Json.Serialization;

namespace Carton.Oci;

/// <summary>
/// Source-generated JSON metadata (NativeAOT: no reflection-based serialization). Indented output,
/// nulls omitted (Go's omitempty on pointer fields is the closest equivalent in the runtime-spec types).
/// Use <c>OciJsonContext.Default.Spec</c> etc.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Spec))]
[JsonSerializable(typeof(ContainerState))]
[JsonSerializable(typeof(RuncStateOutput))]
[JsonSerializable(typeof(List<RuncStateOutput>))]
[JsonSerializable(typeof(Features))]
[JsonSerializable(typeof(Process))]
[JsonSerializable(typeof(LinuxResources))]
[JsonSerializable(typeof(WindowsSpec))]
[JsonSerializable(typeof(Dictionary<string, string>))]
public partial class OciJsonContext : JsonSerializerContext
{
    /// <summary>The same types written on one line (hook stdin, `list --format json`, logs, state files).</summary>
    public static OciJsonContext Compact => s_compact ??= new(new System.Text.Json.JsonSerializerOptions(Default.Options) { WriteIndented = false });

    private static OciJsonContext? s_compact;
}
