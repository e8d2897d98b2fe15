using System.Text.Json.Nodes;
using Carton.Compute.Windows.Tests.Fakes;
using Carton.Windows.Hcs;

namespace Carton.Compute.Windows.Tests.Backend;

/// <summary>UpdateResourcesAsync on Windows: each group a ModifySettingRequest through HcsModifyComputeSystem (the
/// expected documents written by hand from the schema reference); what Windows has no live change for is refused,
/// and a refused update sends nothing.</summary>
public sealed class WindowsUpdateResourcesTests
{
    private readonly RecordingComputeCore _core = new();

    private async Task<IComputeSystem> Running()
    {
        var service = new WindowsComputeService(_core, (_, _) => new HcsDocuments("""{"SchemaVersion":{"Major":2,"Minor":1},"Container":{}}""", """{"CommandLine":"cmd"}"""));
        var system = await service.CreateComputeSystemAsync("web1", new ComputeSystemDocument { Hcs = new HcsSystemDocument() });
        await system.StartAsync();
        return system;
    }

    private List<string> Sent => _core.Systems["web1"].Modifications;

    [Fact]
    public async Task Memory_and_processor_are_each_one_modify_request()
    {
        var system = await Running();
        await system.UpdateResourcesAsync(new ComputeResources { Memory = new HcsMemory { SizeInMB = 512 }, Processor = new HcsProcessor { Maximum = 5000 } });
        string[] expected =
        [
            """{ "ResourcePath": "Container/Memory/SizeInMB", "RequestType": "Update", "Settings": 512 }""",
            """{ "ResourcePath": "Container/Processor", "RequestType": "Update", "Settings": { "Maximum": 5000 } }""",
        ];
        Assert.Equal(2, Sent.Count);
        for (var i = 0; i < 2; i++)
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected[i]), JsonNode.Parse(Sent[i])), Sent[i]);
    }

    [Theory]
    [InlineData("linux", "Linux", ErrorKind.Unsupported)]
    [InlineData("qos", "StorageQoS", ErrorKind.Unsupported)]
    [InlineData("two-cpu-limits", "Processor", ErrorKind.InvalidDocument)]
    [InlineData("maximum", "Processor.Maximum", ErrorKind.InvalidDocument)]
    [InlineData("memory-zero", "Memory.SizeInMB", ErrorKind.InvalidDocument)]
    public async Task A_refused_update_names_the_field_and_sends_nothing(string what, string path, ErrorKind kind)
    {
        var system = await Running();
        var resources = what switch
        {
            "linux" => new ComputeResources { Memory = new HcsMemory { SizeInMB = 64 }, Linux = new Carton.Oci.LinuxResources() },
            "qos" => new ComputeResources { StorageQoS = new HcsStorageQoS { IopsMaximum = 100 } },
            "two-cpu-limits" => new ComputeResources { Memory = new HcsMemory { SizeInMB = 64 }, Processor = new HcsProcessor { Count = 1, Weight = 5 } },
            "maximum" => new ComputeResources { Processor = new HcsProcessor { Maximum = 10001 } },
            _ => new ComputeResources { Memory = new HcsMemory { SizeInMB = 0 } },
        };
        var e = await Assert.ThrowsAnyAsync<ComputeException>(() => system.UpdateResourcesAsync(resources));
        Assert.Equal((kind, path), (e.Kind, e.JsonPath));
        Assert.Empty(Sent);
    }

    [Fact]
    public async Task A_stopped_system_is_not_updated()
    {
        var system = await Running();
        await system.TerminateAsync();
        await Assert.ThrowsAsync<InvalidComputeSystemStateException>(() => system.UpdateResourcesAsync(new ComputeResources { Memory = new HcsMemory { SizeInMB = 64 } }));
        Assert.Empty(Sent);
    }

    [Fact]
    public async Task HCS_refusing_the_change_is_the_contract_s_typed_error()
    {
        var system = await Running();
        _core.FailOperation("HcsModifyComputeSystem", HcsErrors.E_INVALIDARG, """{"ErrorMessage":"The parameter is incorrect."}""");
        var e = await Assert.ThrowsAnyAsync<ComputeException>(() => system.UpdateResourcesAsync(new ComputeResources { Memory = new HcsMemory { SizeInMB = 64 } }));
        Assert.Contains("The parameter is incorrect.", e.Message);
        Assert.DoesNotContain(_core.OpenHandles.Values, kind => kind == "operation");
    }
}
