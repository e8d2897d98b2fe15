using System.Text.Json;
using Carton.Windows.Hcs.Schema;

namespace Carton.Compute.Windows;

/// <summary>
/// HCS's Statistics property (HcsGetComputeSystemProperties with PropertyTypes ["Statistics"]) as the contract's
/// <see cref="ComputeStatistics"/>, which was shaped on it: processor times in 100 ns units, commit and private
/// working set bytes, normalized storage counts and bytes, field for field. The memory limit is the one the system was
/// created or last updated with (HCS does not report it back); network counters are HCN's, per endpoint, and are not
/// read here (empty list).
/// </summary>
internal static class HcsStatisticsMapping
{
    /// <summary>The statistics in an HCS Properties document, or null when it has none (or is not a Properties
    /// document: a statistics read is never an error of its own).</summary>
    public static ComputeStatistics? From(string? propertiesDocument, int processCount, ulong? memoryLimitMB)
    {
        if (string.IsNullOrWhiteSpace(propertiesDocument)) return null;
        Properties? properties;
        try { properties = JsonSerializer.Deserialize(propertiesDocument, HcsSchemaJsonContext.Default.Properties); }
        catch (JsonException) { return null; }
        if (properties?.Statistics is not { } s) return null;
        return new ComputeStatistics
        {
            Timestamp = s.Timestamp?.ToUniversalTime() ?? DateTime.UtcNow,
            Processor = new ProcessorStatistics
            {
                TotalRuntime100ns = s.Processor?.TotalRuntime100ns ?? 0,
                RuntimeUser100ns = s.Processor?.RuntimeUser100ns ?? 0,
                RuntimeKernel100ns = s.Processor?.RuntimeKernel100ns ?? 0,
            },
            Memory = new MemoryStatistics
            {
                MemoryUsageCommitBytes = s.Memory?.MemoryUsageCommitBytes ?? 0,
                MemoryUsageCommitPeakBytes = s.Memory?.MemoryUsageCommitPeakBytes ?? 0,
                MemoryUsagePrivateWorkingSetBytes = s.Memory?.MemoryUsagePrivateWorkingSetBytes ?? 0,
                LimitBytes = memoryLimitMB is { } mb ? mb * 1024 * 1024 : null,
            },
            Processes = new ProcessCountStatistics { Current = (ulong)processCount },
            Storage = new StorageStatistics
            {
                ReadCountNormalized = s.Storage?.ReadCountNormalized ?? 0,
                ReadSizeBytes = s.Storage?.ReadSizeBytes ?? 0,
                WriteCountNormalized = s.Storage?.WriteCountNormalized ?? 0,
                WriteSizeBytes = s.Storage?.WriteSizeBytes ?? 0,
            },
        };
    }

    /// <summary>Container.Memory.SizeInMB of a ComputeSystem document (the limit it was created with), or null.</summary>
    public static ulong? MemoryLimitOf(string? computeSystemDocument)
    {
        if (string.IsNullOrWhiteSpace(computeSystemDocument)) return null;
        try
        {
            var system = JsonSerializer.Deserialize(computeSystemDocument, HcsSchemaJsonContext.Default.ComputeSystem);
            return system?.Container?.Memory?.SizeInMB is { } mb and > 0 ? (ulong)mb : null;
        }
        catch (JsonException) { return null; }
    }
}
