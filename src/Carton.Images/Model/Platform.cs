using System.Runtime.InteropServices;
using Arch = System.Runtime.InteropServices.Architecture;
using System.Text.Json.Serialization;

namespace Carton.Images.Model;

/// <summary>The platform of an index entry (image-spec image-index.md): os, architecture, variant.</summary>
public sealed class Platform
{
    [JsonPropertyName("architecture")] public string Architecture { get; set; } = "";
    [JsonPropertyName("os")] public string Os { get; set; } = "";
    [JsonPropertyName("os.version")] public string? OsVersion { get; set; }
    [JsonPropertyName("os.features")] public List<string>? OsFeatures { get; set; }
    [JsonPropertyName("variant")] public string? Variant { get; set; }

    /// <summary>This host's platform in Go's names (GOOS/GOARCH), as registries label images.</summary>
    public static Platform Host() => new()
    {
        Os = OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsMacOS() ? "darwin" : "linux",
        Architecture = RuntimeInformation.OSArchitecture switch
        {
            Arch.X64 => "amd64",
            Arch.Arm64 => "arm64",
            Arch.Arm => "arm",
            Arch.X86 => "386",
            Arch.S390x => "s390x",
            Arch.Ppc64le => "ppc64le",
            Arch.RiscV64 => "riscv64",
            Arch.LoongArch64 => "loong64",
            var a => a.ToString().ToLowerInvariant(),
        },
        Variant = RuntimeInformation.OSArchitecture switch
        {
            Arch.Arm64 => "v8",
            Arch.Arm => "v7",
            _ => null,
        },
    };

    public override string ToString() => Variant is { Length: > 0 } v ? $"{Os}/{Architecture}/{v}" : $"{Os}/{Architecture}";
}
