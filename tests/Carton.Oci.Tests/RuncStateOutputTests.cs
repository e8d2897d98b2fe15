using System.Text.Json;
using System.Text.Json.Nodes;

namespace Carton.Oci.Tests;

public class RuncStateOutputTests
{
    private static RuncStateOutput Sample() => new()
    {
        OciVersion = "1.3.0",
        Id = "c1",
        Pid = 1234,
        Status = "running",
        Bundle = "/b",
        Rootfs = "/b/rootfs",
        Created = new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc).AddTicks(1234500),
        Owner = "",
    };

    [Fact]
    public void Fields_AreInRuncOrder_AndAnnotationsOmittedWhenEmpty()
    {
        var s = Sample();
        s.Annotations = new Dictionary<string, string>();
        var json = JsonSerializer.Serialize(s, OciJsonContext.Compact.RuncStateOutput);
        Assert.Equal("""{"ociVersion":"1.3.0","id":"c1","pid":1234,"status":"running","bundle":"/b","rootfs":"/b/rootfs","created":"2024-05-06T07:08:09.12345Z","owner":""}""", json);
    }

    [Fact]
    public void Annotations_WrittenWhenPresent()
    {
        var s = Sample();
        s.Annotations = new Dictionary<string, string> { ["a"] = "b" };
        var node = JsonNode.Parse(JsonSerializer.Serialize(s, OciJsonContext.Default.RuncStateOutput))!;
        Assert.Equal("b", node["annotations"]!["a"]!.GetValue<string>());
    }

    [Fact]
    public void Created_WholeSeconds_HasNoFraction()
    {
        Assert.Equal("2024-01-02T03:04:05Z", Rfc3339NanoConverter.Format(new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc)));
    }

    [Fact]
    public void List_ParsesRuncOutputWithNanoseconds()
    {
        const string runc = """[{"ociVersion":"1.0.2-dev","id":"x","pid":0,"status":"stopped","bundle":"/b","rootfs":"/b/rootfs","created":"2024-05-06T07:08:09.123456789Z","owner":"root"}]""";
        var list = JsonSerializer.Deserialize(runc, OciJsonContext.Default.ListRuncStateOutput)!;
        Assert.Single(list);
        Assert.Equal("root", list[0].Owner);
        Assert.Equal(DateTimeKind.Utc, list[0].Created.Kind);
        Assert.Equal(new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc).AddTicks(1234567), list[0].Created);
        Assert.Null(list[0].Annotations);
    }
}
