using System.Text.Json;
using System.Text.Json.Nodes;
using Carton.Oci;

namespace Carton.Compute.Windows.Tests.Translation;

/// <summary>The translation's input: Carton.Oci's model of config-windows.md (runtime-spec v1.3.0) reads every field
/// into its typed property and writes the section back unchanged, unknown fields included.</summary>
public class OciWindowsSpecTests
{
    // config-windows.md's examples in one section, plus one unknown field per object
    private const string Windows = """
    {
      "layerFolders": [ "C:\\Layers\\layer2", "C:\\Layers\\layer1", "C:\\Layers\\layer-base", "C:\\scratch" ],
      "devices": [ { "id": "24E552D7-6523-47F7-A647-D3465BF1F5CA", "idType": "class", "x-dev": 1 } ],
      "resources": {
        "memory": { "limit": 2097152, "x-mem": 1 },
        "cpu": { "count": 2, "shares": 100, "maximum": 5000, "affinity": [ { "mask": 3, "group": 1, "x-aff": 1 } ], "x-cpu": 1 },
        "storage": { "iops": 50, "bps": 1000000, "sandboxSize": 21474836480, "x-sto": 1 },
        "x-res": 1
      },
      "network": {
        "endpointList": [ "7a010682-17e0-4455-a838-02e5d9655fe6" ],
        "allowUnqualifiedDNSQuery": true,
        "DNSSearchList": [ "a.com", "b.com" ],
        "networkSharedContainerName": "containerName",
        "networkNamespace": "168f3daf-efc6-4377-b20a-2c86764ba892",
        "x-net": 1
      },
      "credentialSpec": { "CmsVersion": 1, "DomainJoinConfig": { "DnsName": "contoso.com" } },
      "servicing": true,
      "ignoreFlushesDuringBoot": true,
      "hyperv": { "utilityVMPath": "C:\\path\\to\\utilityvm", "x-hv": 1 },
      "x-windows": 1
    }
    """;

    [Fact]
    public void Windows_section_round_trips()
    {
        var w = JsonSerializer.Deserialize(Windows, OciJsonContext.Default.WindowsSpec)!;
        Schema.SchemaJson.AssertSameJson(Windows, JsonSerializer.Serialize(w, OciJsonContext.Default.WindowsSpec));

        Assert.Equal(@"C:\scratch", w.LayerFolders![^1]);
        Assert.Equal("class", w.Devices![0].IdType);
        Assert.Equal(2097152UL, w.Resources!.Memory!.Limit);
        Assert.Equal(2UL, w.Resources.Cpu!.Count);
        Assert.Equal((ushort)100, w.Resources.Cpu.Shares);
        Assert.Equal((ushort)5000, w.Resources.Cpu.Maximum);
        Assert.Equal(3UL, w.Resources.Cpu.Affinity![0].Mask);
        Assert.Equal(1u, w.Resources.Cpu.Affinity[0].Group);
        Assert.Equal(21474836480UL, w.Resources.Storage!.SandboxSize);
        Assert.True(w.Network!.AllowUnqualifiedDnsQuery);
        Assert.Equal(["a.com", "b.com"], w.Network.DnsSearchList);
        Assert.Equal("168f3daf-efc6-4377-b20a-2c86764ba892", w.Network.NetworkNamespace);
        Assert.Equal(JsonValueKind.Object, w.CredentialSpec!.Value.ValueKind);
        Assert.True(w.Servicing);
        Assert.True(w.IgnoreFlushesDuringBoot);
        Assert.Equal(@"C:\path\to\utilityvm", w.HyperV!.UtilityVmPath);
        Assert.Equal(1, w.Extra!["x-windows"].GetInt32());
        Assert.Equal(1, w.Resources.Cpu.Extra!["x-cpu"].GetInt32());
    }

    [Fact]
    public void A_windows_spec_reads_into_Spec_Windows_and_its_process_fields()
    {
        var spec = JsonSerializer.Deserialize($$"""
        {
          "ociVersion": "1.3.0",
          "process": { "terminal": true, "consoleSize": { "height": 25, "width": 80 }, "user": { "username": "containeradministrator" },
                       "commandLine": "cmd.exe /c dir", "cwd": "c:\\foo" },
          "windows": {{Windows}}
        }
        """, OciJsonContext.Default.Spec)!;
        Assert.NotNull(spec.Windows);
        Assert.False(spec.Extra?.ContainsKey("windows") ?? false);
        Assert.Equal("cmd.exe /c dir", spec.Process!.CommandLine);
        Assert.Equal("containeradministrator", spec.Process.User!.Username);
        Assert.Equal(80u, spec.Process.ConsoleSize!.Width);

        var back = JsonNode.Parse(JsonSerializer.Serialize(spec, OciJsonContext.Default.Spec))!;
        Schema.SchemaJson.AssertSameJson(Windows, back["windows"]!.ToJsonString());
    }
}
