using System.Text.Json;
using System.Text.Json.Nodes;
using Carton.Compute.Windows.Translation;
using Carton.Oci;
using Carton.Windows.Hcs.Schema;
using HcsProcessParameters = Carton.Windows.Hcs.Schema.ProcessParameters;

namespace Carton.Compute.Windows.Tests.Translation;

/// <summary>Layer ids by folder name, standing in for vmcompute's NameToGuid; an unexpected name fails the test.</summary>
internal sealed class FakeLayerIds : ILayerIdSource
{
    public static readonly Dictionary<string, Guid> Known = new()
    {
        ["sha256-app"] = Guid.Parse("6c4ff3b0-9d4e-5a1b-8f6e-2b9c1e7d0a11"),
        ["sha256-servercore"] = Guid.Parse("0b3a6f52-71d4-5c8e-9a2b-4e5f6a7b8c9d"),
    };

    public List<string> Asked { get; } = [];

    public Guid LayerId(string folderName)
    {
        Asked.Add(folderName);
        return Known.TryGetValue(folderName, out var id) ? id : throw new InvalidOperationException($"unexpected layer folder name \"{folderName}\"");
    }
}

/// <summary>Specs and expected documents for the golden tests. The OCI input is JSON (read through Carton.Oci), the
/// expected HCS documents are written by hand from the schema reference; both are compared as parsed JSON.</summary>
internal static class TranslationFixtures
{
    public static OciToHcsOptions Options(int processors = 4, string? hostingSystemId = null, string? endpointNamespace = null) => new()
    {
        Owner = "carton-test",
        LayerIds = new FakeLayerIds(),
        ProcessorCount = processors,
        HostingSystemId = hostingSystemId,
        EndpointNamespace = endpointNamespace,
    };

    /// <summary>The smallest spec: two image layers and the scratch. <paramref name="patch"/> is merged into it (JSON
    /// objects merged, anything else replaced), so each test shows only what it adds.</summary>
    public static Spec Spec(string patch = "{}")
    {
        var spec = JsonNode.Parse("""
        {
          "ociVersion": "1.3.0",
          "process": { "args": [ "cmd.exe" ], "cwd": "C:\\" },
          "windows": {
            "layerFolders": [
              "C:\\ProgramData\\carton\\layers\\sha256-app",
              "C:\\ProgramData\\carton\\layers\\sha256-servercore",
              "C:\\ProgramData\\carton\\containers\\c1\\scratch"
            ]
          }
        }
        """)!.AsObject();
        Merge(spec, JsonNode.Parse(patch)!.AsObject());
        return JsonSerializer.Deserialize(spec.ToJsonString(), OciJsonContext.Default.Spec)!;
    }

    /// <summary>The expected document of a process-isolated container: the parts every translation has (owner, schema
    /// version, layers, scratch, hcsshim's registry value), with <paramref name="container"/>'s fields added to Container.</summary>
    public static string ExpectedArgon(string container = "{}", string? storage = null)
    {
        var doc = JsonNode.Parse("""
        {
          "Owner": "carton-test",
          "SchemaVersion": { "Major": 2, "Minor": 1 },
          "ShouldTerminateOnLastHandleClosed": true,
          "Container": {
            "Storage": {
              "Layers": [
                { "Id": "6c4ff3b0-9d4e-5a1b-8f6e-2b9c1e7d0a11", "Path": "C:\\ProgramData\\carton\\layers\\sha256-app" },
                { "Id": "0b3a6f52-71d4-5c8e-9a2b-4e5f6a7b8c9d", "Path": "C:\\ProgramData\\carton\\layers\\sha256-servercore" }
              ],
              "Path": "C:\\ProgramData\\carton\\containers\\c1\\scratch"
            },
            "RegistryChanges": {
              "AddValues": [
                { "Key": { "Hive": "System", "Name": "ControlSet001\\Control" }, "Name": "WaitToKillServiceTimeout", "Type": "String", "StringValue": "2147483647" }
              ]
            }
          }
        }
        """)!.AsObject();
        var c = doc["Container"]!.AsObject();
        Merge(c, JsonNode.Parse(container)!.AsObject());
        if (storage is not null)
            Merge(c["Storage"]!.AsObject(), JsonNode.Parse(storage)!.AsObject());
        return doc.ToJsonString();
    }

    public static string Write(ComputeSystem doc) => JsonSerializer.Serialize(doc, HcsSchemaJsonContext.Default.ComputeSystem);

    public static string Write(HcsProcessParameters p) => JsonSerializer.Serialize(p, HcsSchemaJsonContext.Default.ProcessParameters);

    public static void AssertSameJson(string expected, string actual) => Schema.SchemaJson.AssertSameJson(expected, actual);

    private static void Merge(JsonObject into, JsonObject patch)
    {
        foreach (var (name, value) in patch.ToList())
        {
            if (value is JsonObject o && into[name] is JsonObject existing)
                Merge(existing, o);
            else
                into[name] = value?.DeepClone();
        }
    }
}
