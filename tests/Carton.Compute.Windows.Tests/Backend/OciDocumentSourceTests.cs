using System.Text.Json.Nodes;
using Carton.Compute.Windows.Tests.Fakes;
using Carton.Compute.Windows.Tests.Translation;

namespace Carton.Compute.Windows.Tests.Backend;

/// <summary>The backend wired to the translation: a contract document's OCI form reaches HCS as the ComputeSystem
/// document and the init's ProcessParameters (expected JSON written by hand from the schema reference); what the
/// backend does not take is refused with the path and the reason, and HCS is never called for it.</summary>
public sealed class OciDocumentSourceTests
{
    private static readonly OciDocumentSource Source = new(new FakeLayerIds(), processorCount: 4, owner: "carton-test");

    private static ComputeSystemDocument Oci(string patch = "{}") => new() { Oci = new OciSystemDocument { Spec = TranslationFixtures.Spec(patch) } };

    [Fact]
    public async Task An_oci_document_reaches_HCS_translated_and_its_process_is_the_init()
    {
        var core = new RecordingComputeCore();
        var service = new WindowsComputeService(core, Source);
        var system = await service.CreateComputeSystemAsync("web1", Oci("""{"hostname":"web1","process":{"args":["cmd.exe","/c","echo hi there"],"env":["A=1"]}}"""));
        var expected = JsonNode.Parse("""
        {
          "Owner": "carton-test",
          "SchemaVersion": { "Major": 2, "Minor": 1 },
          "ShouldTerminateOnLastHandleClosed": true,
          "Container": {
            "GuestOs": { "HostName": "web1" },
            "Storage": {
              "Layers": [
                { "Id": "6c4ff3b0-9d4e-5a1b-8f6e-2b9c1e7d0a11", "Path": "C:\\ProgramData\\carton\\layers\\sha256-app" },
                { "Id": "0b3a6f52-71d4-5c8e-9a2b-4e5f6a7b8c9d", "Path": "C:\\ProgramData\\carton\\layers\\sha256-servercore" }
              ],
              "Path": "C:\\ProgramData\\carton\\containers\\c1\\scratch"
            },
            "RegistryChanges": {
              "AddValues": [
                {
                  "Key": { "Hive": "System", "Name": "ControlSet001\\Control" },
                  "Name": "WaitToKillServiceTimeout",
                  "Type": "String",
                  "StringValue": "2147483647"
                }
              ]
            }
          }
        }
        """);
        var sent = JsonNode.Parse(core.Systems["web1"].Configuration!)!;
        Assert.True(JsonNode.DeepEquals(expected, sent), sent.ToJsonString());

        await system.StartAsync();
        var init = JsonNode.Parse(core.Systems["web1"].Processes.Values.Single().Parameters!)!;
        var expectedInit = JsonNode.Parse("""{ "CommandLine": "cmd.exe /c \"echo hi there\"", "WorkingDirectory": "C:\\", "Environment": { "A": "1" } }""");
        Assert.True(JsonNode.DeepEquals(expectedInit, init), init.ToJsonString());
        await system.DeleteAsync();
        Assert.Empty(core.OpenHandles);
    }

    [Theory]
    [InlineData("hcs", "no scratch layer")]
    [InlineData("oci.image", "not wired on Windows yet")]
    [InlineData("oci.network", "windows.network")]
    public async Task What_the_backend_does_not_take_is_unsupported_and_HCS_is_not_called(string path, string why)
    {
        var document = path switch
        {
            "hcs" => new ComputeSystemDocument { Hcs = new HcsSystemDocument() },
            "oci.image" => new ComputeSystemDocument { Oci = new OciSystemDocument { Image = "mcr.microsoft.com/windows/nanoserver:ltsc2022" } },
            _ => new ComputeSystemDocument { Oci = new OciSystemDocument { Spec = TranslationFixtures.Spec(), Network = new SystemNetworking() } },
        };
        var core = new RecordingComputeCore();
        var e = await Assert.ThrowsAsync<ComputeException>(() => new WindowsComputeService(core, Source).CreateComputeSystemAsync("web1", document));
        Assert.Equal((ErrorKind.Unsupported, path), (e.Kind, e.JsonPath));
        Assert.Contains(why, e.Message);
        Assert.Empty(core.Calls);
    }

    [Fact]
    public void An_invalid_spec_field_is_named_by_its_path_in_the_contract_document()
    {
        var e = Assert.Throws<InvalidComputeDocumentException>(() => Source.Translate("web1", Oci("""{"windows":{"layerFolders":["C:\\only"]}}""")));
        Assert.Equal("oci.spec.windows.layerFolders", e.JsonPath);
    }

    [Fact]
    public void A_spec_without_a_process_has_no_init_document()
    {
        var spec = TranslationFixtures.Spec();
        spec.Process = null;
        var documents = Source.Translate("web1", new ComputeSystemDocument { Oci = new OciSystemDocument { Spec = spec } });
        Assert.Null(documents.InitProcess);
    }
}
