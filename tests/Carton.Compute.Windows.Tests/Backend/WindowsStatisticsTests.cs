using Carton.Compute.Windows.Tests.Fakes;

namespace Carton.Compute.Windows.Tests.Backend;

/// <summary>HCS's Statistics property as the contract's statistics: the Properties document written by hand from the
/// schema reference (Statistics, ProcessorStats, MemoryStats, StorageStats), read through the backend over the fake.</summary>
public sealed class WindowsStatisticsTests
{
    private const string Stats = """
        {
          "Timestamp": "2026-12-01T05:00:00Z",
          "ContainerStartTime": "2026-12-01T04:59:00Z",
          "Uptime100ns": 600000000,
          "Processor": { "TotalRuntime100ns": 1500000, "RuntimeUser100ns": 1000000, "RuntimeKernel100ns": 500000 },
          "Memory": { "MemoryUsageCommitBytes": 73400320, "MemoryUsageCommitPeakBytes": 83886080, "MemoryUsagePrivateWorkingSetBytes": 52428800 },
          "Storage": { "ReadCountNormalized": 120, "ReadSizeBytes": 4915200, "WriteCountNormalized": 30, "WriteSizeBytes": 1228800 }
        }
        """;

    private readonly RecordingComputeCore _core = new();

    private async Task<IComputeSystem> Running(string systemDocument)
    {
        var service = new WindowsComputeService(_core, (_, _) => new HcsDocuments(systemDocument, """{"CommandLine":"cmd"}"""));
        var system = await service.CreateComputeSystemAsync("web1", new ComputeSystemDocument { Hcs = new HcsSystemDocument() });
        await system.StartAsync();
        return system;
    }

    [Fact]
    public async Task A_running_system_s_statistics_are_HCS_s_field_for_field()
    {
        var system = await Running("""{"SchemaVersion":{"Major":2,"Minor":1},"Container":{"Memory":{"SizeInMB":256}}}""");
        _core.Systems["web1"].Statistics = Stats;
        var properties = await system.GetPropertiesAsync();
        var s = properties.Statistics;
        Assert.NotNull(s);
        Assert.Null(properties.Warnings);
        Assert.Contains("Statistics", _core.Systems["web1"].LastPropertyQuery);
        Assert.Equal(new DateTime(2026, 12, 1, 5, 0, 0, DateTimeKind.Utc), s.Timestamp);
        Assert.Equal((1500000UL, 1000000UL, 500000UL), (s.Processor.TotalRuntime100ns, s.Processor.RuntimeUser100ns, s.Processor.RuntimeKernel100ns));
        Assert.Equal((73400320UL, 83886080UL, 52428800UL), (s.Memory.MemoryUsageCommitBytes, s.Memory.MemoryUsageCommitPeakBytes, s.Memory.MemoryUsagePrivateWorkingSetBytes));
        Assert.Equal(256UL * 1024 * 1024, s.Memory.LimitBytes);
        Assert.Equal((120UL, 4915200UL, 30UL, 1228800UL), (s.Storage.ReadCountNormalized, s.Storage.ReadSizeBytes, s.Storage.WriteCountNormalized, s.Storage.WriteSizeBytes));
        Assert.Equal(1UL, s.Processes.Current);

        // the limit follows a live update (HCS does not report it back)
        await system.UpdateResourcesAsync(new ComputeResources { Memory = new HcsMemory { SizeInMB = 512 } });
        Assert.Equal(512UL * 1024 * 1024, (await system.GetPropertiesAsync()).Statistics!.Memory.LimitBytes);
    }

    [Fact]
    public async Task No_statistics_from_HCS_is_said_in_a_warning_and_a_stopped_system_has_none()
    {
        var system = await Running("""{"SchemaVersion":{"Major":2,"Minor":1},"Container":{}}""");
        var properties = await system.GetPropertiesAsync();
        Assert.Null(properties.Statistics);
        Assert.Contains("no statistics", Assert.Single(properties.Warnings!));
        _core.Systems["web1"].Statistics = Stats;
        Assert.Null((await system.GetPropertiesAsync()).Statistics!.Memory.LimitBytes);
        await system.TerminateAsync();
        var stopped = await system.GetPropertiesAsync();
        Assert.Null(stopped.Statistics);
        Assert.Empty(stopped.Processes!);
    }
}
