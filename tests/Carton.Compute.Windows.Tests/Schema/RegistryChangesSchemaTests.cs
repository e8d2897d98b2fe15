using Carton.Windows.Hcs.Schema;

namespace Carton.Compute.Windows.Tests.Schema;

/// <summary>RegistryChanges on its own: hives and value types are strings, and an unknown hive survives a round trip.</summary>
public class RegistryChangesSchemaTests
{
    [Fact]
    public void Registry_changes_round_trip_with_a_hive_this_code_does_not_know()
    {
        const string json = """
        {
          "AddValues": [
            { "Key": { "Hive": "Software", "Name": "A" }, "Name": "S", "Type": "ExpandedString", "StringValue": "%SystemRoot%" },
            { "Key": { "Hive": "DefaultUser", "Name": "B" }, "Name": "M", "Type": "MultiString", "StringValue": "a\u0000b" },
            { "Key": { "Hive": "System", "Name": "C" }, "Name": "B", "Type": "Binary", "BinaryValue": "3q2+7w==" }
          ],
          "DeleteKeys": [ { "Hive": "Software", "Name": "Old", "Volatile": false } ]
        }
        """;
        var r = SchemaJson.AssertRoundTrips(json, HcsSchemaJsonContext.Default.RegistryChanges);
        Assert.Equal(RegistryValueType.ExpandedString, r.AddValues![0].Type);
        Assert.Equal("DefaultUser", r.AddValues[1].Key!.Hive);
        Assert.Equal(RegistryValueType.Binary, r.AddValues[2].Type);
        Assert.False(r.DeleteKeys![0].Volatile);
    }
}
