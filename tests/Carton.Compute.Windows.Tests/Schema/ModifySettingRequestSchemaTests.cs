using Carton.Windows.Hcs.Schema;

namespace Carton.Compute.Windows.Tests.Schema;

/// <summary>ModifySettingRequest: read and written as the schema has it, and the factories' documents written by hand.</summary>
public class ModifySettingRequestSchemaTests
{
    [Fact]
    public void Request_round_trips()
    {
        const string json = """
        {
          "ResourcePath": "Container/MappedDirectories",
          "RequestType": "Add",
          "Settings": { "HostPath": "C:\\data", "ContainerPath": "C:\\data", "ReadOnly": true },
          "GuestRequest": { "ResourceType": "MappedDirectory", "RequestType": "Add", "Settings": {} },
          "x-extra": true
        }
        """;
        var r = SchemaJson.AssertRoundTrips(json, HcsSchemaJsonContext.Default.ModifySettingRequest);
        Assert.Equal(ContainerResourcePath.MappedDirectories, r.ResourcePath);
        Assert.Equal(ModifyRequestType.Add, r.RequestType);
        Assert.True(r.Settings!.Value.GetProperty("ReadOnly").GetBoolean());
    }

    [Fact]
    public void Add_mapped_directory_is_the_documented_request()
    {
        var r = ModifySettingRequest.AddMappedDirectory(new MappedDirectory { HostPath = @"C:\data", ContainerPath = @"C:\in", ReadOnly = true });
        SchemaJson.AssertSameJson("""
        { "ResourcePath": "Container/MappedDirectories", "RequestType": "Add",
          "Settings": { "HostPath": "C:\\data", "ContainerPath": "C:\\in", "ReadOnly": true } }
        """, SchemaJson.Write(r, HcsSchemaJsonContext.Default.ModifySettingRequest));
    }

    [Fact]
    public void Remove_mapped_directory_and_resource_updates_are_the_documented_requests()
    {
        SchemaJson.AssertSameJson("""
        { "ResourcePath": "Container/MappedDirectories", "RequestType": "Remove", "Settings": { "ContainerPath": "C:\\in" } }
        """, SchemaJson.Write(ModifySettingRequest.RemoveMappedDirectory(new MappedDirectory { ContainerPath = @"C:\in" }),
            HcsSchemaJsonContext.Default.ModifySettingRequest));
        SchemaJson.AssertSameJson("""{ "ResourcePath": "Container/Memory/SizeInMB", "RequestType": "Update", "Settings": 4096 }""",
            SchemaJson.Write(ModifySettingRequest.UpdateMemory(4096), HcsSchemaJsonContext.Default.ModifySettingRequest));
        SchemaJson.AssertSameJson("""{ "ResourcePath": "Container/Processor", "RequestType": "Update", "Settings": { "Maximum": 5000 } }""",
            SchemaJson.Write(ModifySettingRequest.UpdateProcessor(new Processor { Maximum = 5000 }), HcsSchemaJsonContext.Default.ModifySettingRequest));
    }
}
