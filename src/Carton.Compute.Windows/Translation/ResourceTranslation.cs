using Carton.Oci;
using Carton.Windows.Hcs.Schema;

namespace Carton.Compute.Windows.Translation;

/// <summary>windows.resources to Container.Memory, Container.Processor and Container.Storage.QoS, by hcsshim's rules
/// (hcsoci ConvertCPULimits, oci.ParseAnnotationsMemory) with its silent truncations turned into errors.</summary>
internal static class ResourceTranslation
{
    private const ulong Mebibyte = 1024 * 1024;
    private const int CyclesPer10000 = 10_000;

    /// <summary>memory.limit in bytes to SizeInMB, rounded down as hcsshim does (limit / 1024 / 1024). A limit of 0 is no
    /// limit, as in hcsshim; a limit under 1 MiB, which hcsshim rounds to 0 and so silently drops, is refused.</summary>
    public static Memory? ToMemory(WindowsMemoryResources? memory)
    {
        if (memory?.Limit is not { } limit || limit == 0)
            return null;
        if (limit < Mebibyte)
            throw TranslationErrors.Invalid("windows.resources.memory.limit", $"{limit} bytes is less than 1 MiB, the unit HCS limits memory in");
        return new Memory { SizeInMB = limit / Mebibyte };
    }

    /// <summary>cpu.count, cpu.maximum and cpu.shares to Processor.Count, Maximum and Weight. Zero means unset (hcsshim
    /// tests each for > 0); more than one set is an error (config-windows.md: mutually exclusive; HCS refuses it too). The
    /// count is lowered to the processors available (hcsshim NormalizeProcessorCount). Maximum and Weight are checked
    /// against their documented range 1..10,000, which hcsshim leaves to HCS.</summary>
    public static Processor? ToProcessor(WindowsCpuResources? cpu, int processorCount)
    {
        if (cpu is null)
            return null;
        if (cpu.Affinity is { Count: > 0 })
            // hcsshim applies it to the container's job object after create (hcsoci cpuaffinity.go); it is no field of the
            // HCS Container document.
            throw TranslationErrors.Unsupported("windows.resources.cpu.affinity", "CPU affinity is set on the container's job object after create, which the Windows backend does not do");
        ulong count = cpu.Count ?? 0;
        int maximum = cpu.Maximum ?? 0, weight = cpu.Shares ?? 0;
        int set = (count > 0 ? 1 : 0) + (maximum > 0 ? 1 : 0) + (weight > 0 ? 1 : 0);
        if (set == 0)
            return null;
        if (set > 1)
            throw TranslationErrors.Invalid("windows.resources.cpu",
                $"count ({count}), maximum ({maximum}) and shares ({weight}) are mutually exclusive: give one");
        if (maximum > CyclesPer10000)
            throw TranslationErrors.Invalid("windows.resources.cpu.maximum", $"{maximum} is more than 10000 (cycles per 10,000: a percentage times 100)");
        if (weight > CyclesPer10000)
            throw TranslationErrors.Invalid("windows.resources.cpu.shares", $"{weight} is more than 10000, the largest processor weight");
        if (count > 0)
        {
            if (processorCount < 1)
                throw new ArgumentOutOfRangeException(nameof(processorCount), processorCount, "the processor count must be positive");
            return new Processor { Count = (int)Math.Min(count, (ulong)processorCount) };
        }
        return maximum > 0 ? new Processor { Maximum = maximum } : new Processor { Weight = weight };
    }

    /// <summary>storage.iops and storage.bps to Storage.QoS (hcsshim: IopsMaximum, BandwidthMaximum, both int32 in the
    /// schema; hcsshim truncates larger values, Carton refuses them). sandboxSize grows the scratch, a layer operation
    /// before create, not a field of the document.</summary>
    public static StorageQoS? ToStorageQoS(WindowsStorageResources? storage)
    {
        if (storage is null)
            return null;
        if (storage.SandboxSize is > 0)
            throw TranslationErrors.Unsupported("windows.resources.storage.sandboxSize", "growing the scratch is done on the layer before create, which the Windows backend does not do");
        int iops = Int32Field(storage.Iops, "windows.resources.storage.iops");
        int bps = Int32Field(storage.Bps, "windows.resources.storage.bps");
        if (iops == 0 && bps == 0)
            return null;
        return new StorageQoS { IopsMaximum = iops > 0 ? iops : null, BandwidthMaximum = bps > 0 ? bps : null };
    }

    private static int Int32Field(ulong? value, string jsonPath) => value switch
    {
        null => 0,
        > int.MaxValue => throw TranslationErrors.Invalid(jsonPath, $"{value} does not fit the HCS field (a 32-bit signed integer)"),
        _ => (int)value.Value,
    };
}
