// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "VirtualMachineMemory" (the subset a utility VM uses).</summary>
public sealed class VirtualMachineMemory
{
    /// <summary>Memory size in MiB.</summary>
    public ulong? SizeInMB { get; set; }

    /// <summary>Whether memory is backed by the pagefile (virtual) instead of physical memory.</summary>
    public bool? AllowOvercommit { get; set; }

    /// <summary>Whether commit is charged on first access only.</summary>
    public bool? EnableDeferredCommit { get; set; }

    /// <summary>Whether the hot hint is exposed to the guest.</summary>
    public bool? EnableHotHint { get; set; }

    /// <summary>Whether the cold hint is exposed to the guest.</summary>
    public bool? EnableColdHint { get; set; }

    /// <summary>Whether the cold discard hint is exposed to the guest.</summary>
    public bool? EnableColdDiscardHint { get; set; }

    /// <summary>Low MMIO gap below 4 GiB.</summary>
    public ulong? LowMmioGapInMB { get; set; }

    /// <summary>High MMIO base.</summary>
    public ulong? HighMmioBaseInMB { get; set; }

    /// <summary>High MMIO gap.</summary>
    public ulong? HighMmioGapInMB { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
