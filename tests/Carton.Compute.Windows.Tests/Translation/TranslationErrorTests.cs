using System.Text.Json;
using Carton.Compute.Windows.Translation;
using Carton.Oci;
using static Carton.Compute.Windows.Tests.Translation.TranslationFixtures;

namespace Carton.Compute.Windows.Tests.Translation;

/// <summary>Invalid specs give InvalidComputeDocumentException naming the JSON path; what the Windows backend does not
/// do gives kind Unsupported, naming the path too.</summary>
public class TranslationErrorTests
{
    private static InvalidComputeDocumentException Invalid(string patch, OciToHcsOptions? options = null) =>
        Assert.Throws<InvalidComputeDocumentException>(() => OciToHcs.ToComputeSystem(Spec(patch), options ?? Options()));

    private static ComputeException Unsupported(string patch, OciToHcsOptions? options = null)
    {
        var e = Assert.Throws<ComputeException>(() => OciToHcs.ToComputeSystem(Spec(patch), options ?? Options()));
        Assert.Equal(ErrorKind.Unsupported, e.Kind);
        return e;
    }

    [Fact]
    public void A_spec_without_a_windows_section()
    {
        var spec = Spec();
        spec.Windows = null;
        var e = Assert.Throws<InvalidComputeDocumentException>(() => OciToHcs.ToComputeSystem(spec, Options()));
        Assert.Equal("windows", e.JsonPath);
    }

    [Theory]
    [InlineData("""{ "windows": { "layerFolders": [ "C:\\scratch" ] } }""", "windows.layerFolders")]
    [InlineData("""{ "windows": { "layerFolders": [] } }""", "windows.layerFolders")]
    [InlineData("""{ "windows": { "layerFolders": null } }""", "windows.layerFolders")]
    [InlineData("""{ "windows": { "layerFolders": [ "layers\\a", "C:\\s" ] } }""", "windows.layerFolders[0]")]
    [InlineData("""{ "windows": { "layerFolders": [ "C:\\a", "" ] } }""", "windows.layerFolders[1]")]
    [InlineData("""{ "windows": { "layerFolders": [ "C:\\", "C:\\s" ] } }""", "windows.layerFolders[0]")]
    [InlineData("""{ "root": { "readonly": true } }""", "root.readonly")]
    [InlineData("""{ "root": { "path": "C:\\rootfs" } }""", "root.path")]
    [InlineData("""{ "root": { "path": "\\\\?\\Volume{not-a-guid}\\" } }""", "root.path")]
    [InlineData("""{ "windows": { "resources": { "memory": { "limit": 1048575 } } } }""", "windows.resources.memory.limit")]
    [InlineData("""{ "windows": { "resources": { "cpu": { "count": 2, "maximum": 5000 } } } }""", "windows.resources.cpu")]
    [InlineData("""{ "windows": { "resources": { "cpu": { "shares": 2, "maximum": 5000 } } } }""", "windows.resources.cpu")]
    [InlineData("""{ "windows": { "resources": { "cpu": { "count": 1, "shares": 5 } } } }""", "windows.resources.cpu")]
    [InlineData("""{ "windows": { "resources": { "cpu": { "maximum": 10001 } } } }""", "windows.resources.cpu.maximum")]
    [InlineData("""{ "windows": { "resources": { "cpu": { "shares": 10001 } } } }""", "windows.resources.cpu.shares")]
    [InlineData("""{ "windows": { "resources": { "storage": { "iops": 2147483648 } } } }""", "windows.resources.storage.iops")]
    [InlineData("""{ "windows": { "resources": { "storage": { "bps": 2147483648 } } } }""", "windows.resources.storage.bps")]
    [InlineData("""{ "mounts": [ { "destination": "C:\\d" } ] }""", "mounts[0].source")]
    [InlineData("""{ "mounts": [ { "source": "C:\\d" } ] }""", "mounts[0].destination")]
    [InlineData("""{ "mounts": [ { "destination": "C:\\d", "source": "C:\\d" }, { "destination": "C:\\p", "source": "\\\\.\\pipe\\p" } ] }""", "mounts[1].destination")]
    [InlineData("""{ "mounts": [ { "destination": "\\\\.\\pipe\\p", "source": "C:\\p" } ] }""", "mounts[0].source")]
    [InlineData("""{ "mounts": [ { "destination": "\\\\.\\pipe\\", "source": "\\\\.\\pipe\\p" } ] }""", "mounts[0].destination")]
    [InlineData("""{ "mounts": [ { "destination": "C:\\d", "source": "data" } ] }""", "mounts[0].source")]
    [InlineData("""{ "mounts": [ { "destination": "/data", "source": "C:\\d" } ] }""", "mounts[0].destination")]
    [InlineData("""{ "mounts": [ { "destination": "C:\\d", "source": "C:\\d", "type": "tmpfs" } ] }""", "mounts[0].type")]
    [InlineData("""{ "windows": { "network": { "networkNamespace": "ns-1" } } }""", "windows.network.networkNamespace")]
    [InlineData("""{ "windows": { "network": { "networkNamespace": "168f3daf-efc6-4377-b20a-2c86764ba892", "endpointList": [ "7a010682-17e0-4455-a838-02e5d9655fe6" ] } } }""", "windows.network.endpointList")]
    [InlineData("""{ "windows": { "network": { "endpointList": [ "7a010682-17e0-4455-a838-02e5d9655fe6" ] } } }""", "windows.network.endpointList")]
    [InlineData("""{ "windows": { "network": { "endpointList": [ "eth0" ] } } }""", "windows.network.endpointList[0]")]
    [InlineData("""{ "windows": { "network": { "DNSSearchList": [ "a.com", "b.com,c.com" ] } } }""", "windows.network.DNSSearchList[1]")]
    public void Invalid_fields_are_named(string patch, string jsonPath)
    {
        var e = Invalid(patch);
        Assert.Equal(jsonPath, e.JsonPath);
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.StartsWith(jsonPath + ": ", e.Message);
    }

    [Theory]
    [InlineData("""{ "windows": { "devices": [ { "id": "24E552D7-6523-47F7-A647-D3465BF1F5CA", "idType": "class" } ] } }""", "windows.devices")]
    [InlineData("""{ "windows": { "credentialSpec": { "CmsVersion": 1 } } }""", "windows.credentialSpec")]
    [InlineData("""{ "windows": { "servicing": true } }""", "windows.servicing")]
    [InlineData("""{ "windows": { "resources": { "cpu": { "affinity": [ { "mask": 3, "group": 0 } ] } } } }""", "windows.resources.cpu.affinity")]
    [InlineData("""{ "windows": { "resources": { "storage": { "sandboxSize": 21474836480 } } } }""", "windows.resources.storage.sandboxSize")]
    [InlineData("""{ "windows": { "hyperv": {} } }""", "windows.hyperv")]
    [InlineData("""{ "mounts": [ { "destination": "C:\\d", "source": "C:\\disk.vhdx", "type": "virtual-disk" } ] }""", "mounts[0].type")]
    public void Unsupported_fields_are_named(string patch, string jsonPath)
    {
        var e = Unsupported(patch);
        Assert.Equal(jsonPath, e.JsonPath);
        Assert.False(string.IsNullOrEmpty(e.Reason));
    }

    [Fact]
    public void Mounts_of_a_hyper_v_container_are_unsupported()
    {
        var e = Unsupported("""{ "windows": { "hyperv": {} }, "mounts": [ { "destination": "C:\\d", "source": "C:\\d" } ] }""",
            Options(hostingSystemId: "c1@vm"));
        Assert.Equal("mounts[0]", e.JsonPath);
    }

    private static Process ReadProcess(string json) => JsonSerializer.Deserialize(json, OciJsonContext.Default.Process)!;

    [Theory]
    [InlineData("""{ "cwd": "C:\\" }""", "process.args")]
    [InlineData("""{ "args": [], "cwd": "C:\\" }""", "process.args")]
    [InlineData("""{ "args": [ "" ], "cwd": "C:\\" }""", "process.args[0]")]
    [InlineData("""{ "args": [ "a.exe", "x\u0000y" ], "cwd": "C:\\" }""", "process.args[1]")]
    [InlineData("""{ "args": [ "a.exe" ] }""", "process.cwd")]
    [InlineData("""{ "args": [ "a.exe" ], "cwd": "app" }""", "process.cwd")]
    [InlineData("""{ "args": [ "a.exe" ], "cwd": "C:\\", "env": [ "A=1", "NOVALUE" ] }""", "process.env[1]")]
    [InlineData("""{ "args": [ "a.exe" ], "cwd": "C:\\", "env": [ "=C:=C:\\" ] }""", "process.env[0]")]
    [InlineData("""{ "args": [ "a.exe" ], "cwd": "C:\\", "terminal": true, "consoleSize": { "height": 65536, "width": 80 } }""", "process.consoleSize.height")]
    [InlineData("""{ "args": [ "a.exe" ], "cwd": "C:\\", "terminal": true, "consoleSize": { "height": 25, "width": 70000 } }""", "process.consoleSize.width")]
    public void Invalid_process_fields_are_named(string process, string jsonPath)
    {
        var e = Assert.Throws<InvalidComputeDocumentException>(() => OciToHcs.ToProcessParameters(ReadProcess(process), ProcessStdio.All));
        Assert.Equal(jsonPath, e.JsonPath);
    }
}
