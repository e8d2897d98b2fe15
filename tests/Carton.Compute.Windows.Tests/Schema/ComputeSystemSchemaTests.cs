using System.Text.Json;
using Carton.Windows.Hcs.Schema;

namespace Carton.Compute.Windows.Tests.Schema;

/// <summary>ComputeSystem and what it contains, written by hand from Microsoft's HCS schema reference: a process-isolated
/// container, a container hosted in a utility VM, and a utility VM.</summary>
public class ComputeSystemSchemaTests
{

    // a process-isolated container using every modelled Container field, plus one field the types do not model
    // (AssignedDevices) at the container level and one at the layer level
    internal const string ArgonContainer = """
    {
      "Owner": "carton",
      "SchemaVersion": { "Major": 2, "Minor": 1 },
      "ShouldTerminateOnLastHandleClosed": true,
      "Container": {
        "GuestOs": { "HostName": "web-1" },
        "Storage": {
          "Layers": [
            { "Id": "6c4ff3b0-9d4e-5a1b-8f6e-2b9c1e7d0a11", "Path": "C:\\ProgramData\\carton\\layers\\app", "PathType": "AbsolutePath", "Cache": "Enabled" },
            { "Id": "0b3a6f52-71d4-5c8e-9a2b-4e5f6a7b8c9d", "Path": "C:\\ProgramData\\carton\\layers\\servercore", "x-layer-hint": 7 }
          ],
          "Path": "\\\\?\\Volume{5a9c2f1e-3b4d-4e6f-8a1b-2c3d4e5f6a7b}\\",
          "QoS": { "IopsMaximum": 500, "BandwidthMaximum": 10485760 }
        },
        "MappedDirectories": [
          { "HostPath": "C:\\data\\web", "HostPathType": "AbsolutePath", "ContainerPath": "C:\\inetpub\\wwwroot", "ReadOnly": true },
          { "HostPath": "C:\\logs", "ContainerPath": "C:\\logs" }
        ],
        "MappedPipes": [
          { "ContainerPipeName": "docker_engine", "HostPath": "\\\\.\\pipe\\docker_engine", "HostPathType": "AbsolutePath" }
        ],
        "Memory": { "SizeInMB": 2048 },
        "Processor": { "Count": 2 },
        "Networking": {
          "AllowUnqualifiedDnsQuery": true,
          "DnsSearchList": "corp.example.com,example.com",
          "NetworkSharedContainerName": "pause-1",
          "Namespace": "168f3daf-efc6-4377-b20a-2c86764ba892",
          "NetworkAdapters": [ "7a010682-17e0-4455-a838-02e5d9655fe6" ]
        },
        "HvSocket": {
          "Config": {
            "DefaultBindSecurityDescriptor": "D:P(A;;FA;;;SY)(A;;FA;;;BA)",
            "DefaultConnectSecurityDescriptor": "D:P(A;;FA;;;SY)",
            "ServiceTable": {
              "0000c8c2-facb-11e6-bd58-64006a7986d3": { "BindSecurityDescriptor": "D:P(A;;FA;;;SY)", "ConnectSecurityDescriptor": "D:P(A;;FA;;;BA)", "AllowWildcardBinds": true, "Disabled": false }
            }
          },
          "EnablePowerShellDirect": false
        },
        "RegistryChanges": {
          "AddValues": [
            { "Key": { "Hive": "System", "Name": "ControlSet001\\Control" }, "Name": "WaitToKillServiceTimeout", "Type": "String", "StringValue": "2147483647" },
            { "Key": { "Hive": "Software", "Name": "Microsoft\\Windows\\Windows Error Reporting\\LocalDumps", "Volatile": true }, "Name": "DumpType", "Type": "DWord", "DWordValue": 2 },
            { "Key": { "Hive": "Software", "Name": "Carton" }, "Name": "Big", "Type": "QWord", "QWordValue": 18446744073709551615 },
            { "Key": { "Hive": "Sam", "Name": "Carton" }, "Name": "Blob", "Type": "CustomType", "CustomType": 11, "BinaryValue": "AAECAw==" }
          ],
          "DeleteKeys": [ { "Hive": "Security", "Name": "Policy\\Secrets" } ]
        },
        "AssignedDevices": [ { "InterfaceClassGuid": "5B45201D-F2F2-4F3B-85BB-30FF1F953599" } ]
      }
    }
    """;

    [Fact]
    public void Process_isolated_container_round_trips()
    {
        var doc = SchemaJson.AssertRoundTrips(ArgonContainer, HcsSchemaJsonContext.Default.ComputeSystem);

        // the values land in the typed fields, not in Extra
        Assert.Null(doc.Extra);
        Assert.Equal(2, doc.SchemaVersion!.Major);
        Assert.True(doc.ShouldTerminateOnLastHandleClosed);
        var c = doc.Container!;
        Assert.Equal("web-1", c.GuestOs!.HostName);
        Assert.Equal(@"C:\ProgramData\carton\layers\app", c.Storage!.Layers![0].Path);
        Assert.Equal(@"\\?\Volume{5a9c2f1e-3b4d-4e6f-8a1b-2c3d4e5f6a7b}\", c.Storage.Path);
        Assert.Equal(10485760, c.Storage.QoS!.BandwidthMaximum);
        Assert.True(c.MappedDirectories![0].ReadOnly);
        Assert.Null(c.MappedDirectories[1].ReadOnly);
        Assert.Equal("docker_engine", c.MappedPipes![0].ContainerPipeName);
        Assert.Equal(2048UL, c.Memory!.SizeInMB);
        Assert.Equal(2, c.Processor!.Count);
        Assert.Equal("corp.example.com,example.com", c.Networking!.DnsSearchList);
        Assert.True(c.HvSocket!.Config!.ServiceTable!["0000c8c2-facb-11e6-bd58-64006a7986d3"].AllowWildcardBinds);
        var values = c.RegistryChanges!.AddValues!;
        Assert.Equal(RegistryHive.System, values[0].Key!.Hive);
        Assert.Equal(RegistryValueType.String, values[0].Type);
        Assert.Equal(2u, values[1].DWordValue);
        Assert.Equal(ulong.MaxValue, values[2].QWordValue);
        Assert.Equal(11u, values[3].CustomType);
        Assert.Equal(RegistryHive.Security, c.RegistryChanges.DeleteKeys![0].Hive);
    }

    [Fact]
    public void Unknown_fields_are_kept_where_they_were()
    {
        var doc = SchemaJson.Read(ArgonContainer, HcsSchemaJsonContext.Default.ComputeSystem);
        Assert.True(doc.Container!.Extra!.ContainsKey("AssignedDevices"));
        Assert.Equal(7, doc.Container.Storage!.Layers![1].Extra!["x-layer-hint"].GetInt32());

        var written = System.Text.Json.Nodes.JsonNode.Parse(SchemaJson.Write(doc, HcsSchemaJsonContext.Default.ComputeSystem))!;
        Assert.Equal("5B45201D-F2F2-4F3B-85BB-30FF1F953599",
            written["Container"]!["AssignedDevices"]![0]!["InterfaceClassGuid"]!.GetValue<string>());
    }

    [Fact]
    public void Container_hosted_in_a_utility_vm_round_trips()
    {
        const string hosted = """
        {
          "Owner": "carton",
          "SchemaVersion": { "Major": 2, "Minor": 1 },
          "HostingSystemId": "c1@vm",
          "ShouldTerminateOnLastHandleClosed": true,
          "HostedSystem": {
            "SchemaVersion": { "Major": 2, "Minor": 1 },
            "Container": {
              "Storage": {
                "Layers": [ { "Id": "0b3a6f52-71d4-5c8e-9a2b-4e5f6a7b8c9d", "Path": "C:\\c\\1\\layers\\0", "PathType": "VirtualSmbShareName" } ],
                "Path": "C:\\c\\1\\scratch"
              },
              "MappedDirectories": [ { "HostPath": "\\\\?\\VMSMB\\VSMB-{dcc079ae-60ba-4d07-847c-3493609c0870}\\s1", "HostPathType": "VirtualSmbShareName", "ContainerPath": "C:\\data" } ]
            }
          }
        }
        """;
        var doc = SchemaJson.AssertRoundTrips(hosted, HcsSchemaJsonContext.Default.ComputeSystem);
        Assert.Equal("c1@vm", doc.HostingSystemId);
        Assert.Null(doc.Container);
        Assert.Equal("VirtualSmbShareName", doc.HostedSystem!.Container!.Storage!.Layers![0].PathType);
        Assert.Equal(1, doc.HostedSystem.SchemaVersion!.Minor);
    }

    [Fact]
    public void Utility_vm_round_trips()
    {
        // the shape of hcsshim's WCOW utility VM document: UEFI boot of bootmgfw.efi over VmbFs, the scratch on SCSI 0:0,
        // the OS files as the "os" VSMB share
        const string uvm = """
        {
          "Owner": "carton",
          "SchemaVersion": { "Major": 2, "Minor": 1 },
          "ShouldTerminateOnLastHandleClosed": true,
          "VirtualMachine": {
            "StopOnReset": true,
            "Chipset": {
              "Uefi": { "BootThis": { "DevicePath": "\\EFI\\Microsoft\\Boot\\bootmgfw.efi", "DeviceType": "VmbFs" } },
              "UseUtc": true
            },
            "ComputeTopology": {
              "Memory": { "SizeInMB": 1024, "AllowOvercommit": true, "EnableDeferredCommit": false, "EnableHotHint": true, "EnableColdHint": true, "EnableColdDiscardHint": false, "LowMmioGapInMB": 256, "HighMmioBaseInMB": 4096, "HighMmioGapInMB": 512 },
              "Processor": { "Count": 2, "Limit": 50000, "Weight": 200, "Reservation": 0 }
            },
            "Devices": {
              "Scsi": {
                "df6d0690-79e5-55b6-a5ec-c1e2f77f580a": {
                  "Attachments": { "0": { "Type": "VirtualDisk", "Path": "C:\\c\\1\\sandbox.vhdx", "IgnoreFlushes": true, "CachingMode": "ReadOnlyCached", "ReadOnly": false } }
                }
              },
              "VirtualSmb": {
                "Shares": [ { "Name": "os", "Path": "C:\\layers\\base\\UtilityVM\\Files", "AllowedFiles": [ "a.dll" ], "Options": { "ReadOnly": true, "TakeBackupPrivilege": true, "CacheIo": true, "ShareRead": true } } ],
                "DirectFileMappingInMB": 1024
              },
              "HvSocket": { "HvSocketConfig": { "DefaultBindSecurityDescriptor": "D:P(A;;FA;;;SY)(A;;FA;;;BA)" } }
            },
            "RegistryChanges": { "AddValues": [ { "Key": { "Hive": "System", "Name": "CurrentControlSet\\Services\\x" }, "Name": "Start", "Type": "DWord", "DWordValue": 4 } ] },
            "StorageQoS": { "IopsMaximum": 1000 },
            "GuestConnection": { "UseVsock": true, "UseConnectedSuspend": true }
          }
        }
        """;
        var doc = SchemaJson.AssertRoundTrips(uvm, HcsSchemaJsonContext.Default.ComputeSystem);
        var vm = doc.VirtualMachine!;
        Assert.Equal("VmbFs", vm.Chipset!.Uefi!.BootThis!.DeviceType);
        Assert.Equal(1024UL, vm.ComputeTopology!.Memory!.SizeInMB);
        Assert.Equal(256UL, vm.ComputeTopology.Memory.LowMmioGapInMB);
        Assert.Equal(50000UL, vm.ComputeTopology.Processor!.Limit);
        Assert.Equal(@"C:\c\1\sandbox.vhdx", vm.Devices!.Scsi!["df6d0690-79e5-55b6-a5ec-c1e2f77f580a"].Attachments!["0"].Path);
        Assert.Equal("os", vm.Devices.VirtualSmb!.Shares![0].Name);
        Assert.True(vm.Devices.VirtualSmb.Shares[0].Options!.Value.GetProperty("TakeBackupPrivilege").GetBoolean());
        Assert.Equal(JsonValueKind.Object, vm.GuestConnection!.Value.ValueKind);
    }

    [Fact]
    public void Nulls_are_left_out()
    {
        var doc = new ComputeSystem
        {
            Owner = "carton",
            Container = new Container { Storage = new Storage { Path = @"C:\s" }, MappedDirectories = [new MappedDirectory { ContainerPath = @"C:\d" }] },
        };
        Assert.Equal("""{"Owner":"carton","Container":{"Storage":{"Path":"C:\\s"},"MappedDirectories":[{"ContainerPath":"C:\\d"}]}}""",
            SchemaJson.Write(doc, HcsSchemaJsonContext.Default.ComputeSystem));
        // false and 0 are values, not absences: they are written
        var falsy = new MappedDirectory { ReadOnly = false };
        Assert.Equal("""{"ReadOnly":false}""", SchemaJson.Write(falsy, HcsSchemaJsonContext.Default.MappedDirectory));
    }

    [Fact]
    public void Field_names_are_the_schemas()
    {
        // every field set from C#, compared with the names written by hand from the schema reference
        var doc = new ComputeSystem
        {
            Owner = "o",
            SchemaVersion = new SchemaVersion { Major = 2, Minor = 1 },
            HostingSystemId = "h",
            ShouldTerminateOnLastHandleClosed = true,
            Container = new Container
            {
                GuestOs = new GuestOs { HostName = "n" },
                Storage = new Storage
                {
                    Layers = [new Layer { Id = "i", Path = "p", PathType = "t", Cache = "c" }],
                    Path = "s",
                    QoS = new StorageQoS { IopsMaximum = 1, BandwidthMaximum = 2 },
                    PrivilegedContainerRootPath = "r",
                },
                MappedDirectories = [new MappedDirectory { HostPath = "h", HostPathType = "t", ContainerPath = "c", ReadOnly = true }],
                MappedPipes = [new MappedPipe { ContainerPipeName = "c", HostPath = "h", HostPathType = "t" }],
                Memory = new Memory { SizeInMB = 3 },
                Processor = new Processor { Count = 1, Maximum = 2, Weight = 3 },
                Networking = new Networking { AllowUnqualifiedDnsQuery = true, DnsSearchList = "d", NetworkSharedContainerName = "s", Namespace = "n", NetworkAdapters = ["a"] },
                HvSocket = new HvSocket { EnablePowerShellDirect = true },
                IsolationType = "HostProcess",
            },
        };
        SchemaJson.AssertSameJson("""
        {
          "Owner": "o", "SchemaVersion": { "Major": 2, "Minor": 1 }, "HostingSystemId": "h", "ShouldTerminateOnLastHandleClosed": true,
          "Container": {
            "GuestOs": { "HostName": "n" },
            "Storage": { "Layers": [ { "Id": "i", "Path": "p", "PathType": "t", "Cache": "c" } ], "Path": "s",
                         "QoS": { "IopsMaximum": 1, "BandwidthMaximum": 2 }, "PrivilegedContainerRootPath": "r" },
            "MappedDirectories": [ { "HostPath": "h", "HostPathType": "t", "ContainerPath": "c", "ReadOnly": true } ],
            "MappedPipes": [ { "ContainerPipeName": "c", "HostPath": "h", "HostPathType": "t" } ],
            "Memory": { "SizeInMB": 3 },
            "Processor": { "Count": 1, "Maximum": 2, "Weight": 3 },
            "Networking": { "AllowUnqualifiedDnsQuery": true, "DnsSearchList": "d", "NetworkSharedContainerName": "s", "Namespace": "n", "NetworkAdapters": [ "a" ] },
            "HvSocket": { "EnablePowerShellDirect": true },
            "IsolationType": "HostProcess"
          }
        }
        """, SchemaJson.Write(doc, HcsSchemaJsonContext.Default.ComputeSystem));
    }

    [Fact]
    public void Field_names_are_case_sensitive_on_read()
    {
        // a camelCase field is not the schema's: it must not bind to the PascalCase property (it is kept as unknown)
        var doc = SchemaJson.Read("""{"owner":"x"}""", HcsSchemaJsonContext.Default.ComputeSystem);
        Assert.Null(doc.Owner);
        Assert.True(doc.Extra!.ContainsKey("owner"));
    }
}
