using Carton.Windows.Hcs.Schema;

namespace Carton.Compute.Windows.Tests.Schema;

/// <summary>Properties (with Statistics and ProcessList) and PropertyQuery, written by hand from the HCS schema reference.</summary>
public class PropertiesSchemaTests
{
    [Fact]
    public void Properties_with_statistics_and_processes_round_trip()
    {
        const string json = """
        {
          "Id": "c1",
          "SystemType": "Container",
          "RuntimeOsType": "Windows",
          "Name": "c1",
          "Owner": "carton",
          "RuntimeId": "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d",
          "SystemGUID": "b0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d",
          "State": "Running",
          "Stopped": false,
          "TerminateOnLastHandleClosed": true,
          "Memory": { "VirtualNodeCount": 1 },
          "Statistics": {
            "Timestamp": "2026-11-30T10:15:30.1234567Z",
            "ContainerStartTime": "2026-11-30T10:00:00Z",
            "Uptime100ns": 9301234567,
            "Processor": { "TotalRuntime100ns": 1500000, "RuntimeUser100ns": 1000000, "RuntimeKernel100ns": 500000 },
            "Memory": { "MemoryUsageCommitBytes": 104857600, "MemoryUsageCommitPeakBytes": 209715200, "MemoryUsagePrivateWorkingSetBytes": 52428800 },
            "Storage": { "ReadCountNormalized": 10, "ReadSizeBytes": 40960, "WriteCountNormalized": 5, "WriteSizeBytes": 20480 }
          },
          "ProcessList": [
            {
              "ProcessId": 4, "ImageName": "System", "CreateTimestamp": "2026-11-30T10:00:01.5Z",
              "UserTime100ns": 0, "KernelTime100ns": 120000, "MemoryCommitBytes": 40960,
              "MemoryWorkingSetPrivateBytes": 8192, "MemoryWorkingSetSharedBytes": 4096
            },
            { "ProcessId": 1234, "ImageName": "cmd.exe" }
          ],
          "GuestConnectionInfo": { "ProtocolVersion": 4 }
        }
        """;
        var p = SchemaJson.AssertRoundTrips(json, HcsSchemaJsonContext.Default.Properties);
        Assert.Equal("Running", p.State);
        Assert.Equal(new DateTime(2026, 11, 30, 10, 0, 0, DateTimeKind.Utc), p.Statistics!.ContainerStartTime);
        Assert.Equal(9301234567UL, p.Statistics.Uptime100ns);
        Assert.Equal(1500000UL, p.Statistics.Processor!.TotalRuntime100ns);
        Assert.Equal(52428800UL, p.Statistics.Memory!.MemoryUsagePrivateWorkingSetBytes);
        Assert.Equal(20480UL, p.Statistics.Storage!.WriteSizeBytes);
        Assert.Equal("cmd.exe", p.ProcessList![1].ImageName);
        Assert.Equal(120000UL, p.ProcessList[0].KernelTime100ns);
        Assert.True(p.Extra!.ContainsKey("GuestConnectionInfo"));
    }

    [Fact]
    public void Statistics_alone_round_trip()
    {
        const string json = """{ "Timestamp": "2026-11-30T10:15:30Z", "Processor": { "TotalRuntime100ns": 1 }, "x": [1] }""";
        var s = SchemaJson.AssertRoundTrips(json, HcsSchemaJsonContext.Default.Statistics);
        Assert.Equal(DateTimeKind.Utc, s.Timestamp!.Value.Kind);
    }

    [Fact]
    public void Property_query_round_trips()
    {
        const string json = """{ "PropertyTypes": [ "Statistics", "ProcessList" ], "Queries": { "ProcessorTopology": {} } }""";
        var q = SchemaJson.AssertRoundTrips(json, HcsSchemaJsonContext.Default.PropertyQuery);
        Assert.Equal([PropertyType.Statistics, PropertyType.ProcessList], q.PropertyTypes);
        Assert.Equal("""{"PropertyTypes":["Statistics"]}""",
            SchemaJson.Write(new PropertyQuery { PropertyTypes = [PropertyType.Statistics] }, HcsSchemaJsonContext.Default.PropertyQuery));
    }
}
