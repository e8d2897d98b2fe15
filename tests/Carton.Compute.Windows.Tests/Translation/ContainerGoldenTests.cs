using Carton.Compute.Windows.Translation;
using static Carton.Compute.Windows.Tests.Translation.TranslationFixtures;

namespace Carton.Compute.Windows.Tests.Translation;

/// <summary>Golden tests of OciToHcs.ToComputeSystem, one per field group: the expected HCS documents are written by
/// hand from Microsoft's schema reference and hcsshim's rules, and compared as parsed JSON.</summary>
public class ContainerGoldenTests
{
    [Fact]
    public void Layers_and_scratch()
    {
        var options = Options();
        var doc = OciToHcs.ToComputeSystem(Spec(), options);
        AssertSameJson(ExpectedArgon(), Write(doc));
        // the id comes from the folder's base name only (hcsshim LayerID), and the scratch gets none
        Assert.Equal(["sha256-app", "sha256-servercore"], ((FakeLayerIds)options.LayerIds).Asked);
    }

    [Fact]
    public void Layers_with_a_trailing_separator_are_named_by_their_folder()
    {
        var options = Options();
        OciToHcs.ToComputeSystem(Spec("""{ "windows": { "layerFolders": [ "C:\\l\\sha256-app\\", "C:/l/sha256-servercore", "C:\\s" ] } }"""), options);
        Assert.Equal(["sha256-app", "sha256-servercore"], ((FakeLayerIds)options.LayerIds).Asked);
    }

    [Fact]
    public void Root_path_of_the_mounted_scratch_volume_is_the_storage_path()
    {
        var doc = OciToHcs.ToComputeSystem(Spec("""{ "root": { "path": "\\\\?\\Volume{5a9c2f1e-3b4d-4e6f-8a1b-2c3d4e5f6a7b}" } }"""), Options());
        // hcsshim adds the trailing backslash HCS wants
        AssertSameJson(ExpectedArgon(storage: """{ "Path": "\\\\?\\Volume{5a9c2f1e-3b4d-4e6f-8a1b-2c3d4e5f6a7b}\\" }"""), Write(doc));
    }

    [Fact]
    public void Mounts_directories_read_only_and_pipes()
    {
        var spec = Spec("""
        {
          "mounts": [
            { "destination": "C:\\data", "source": "D:\\volumes\\data" },
            { "destination": "C:\\config", "type": "bind", "source": "D:\\volumes\\config", "options": [ "RO" ] },
            { "destination": "C:\\logs", "source": "D:\\logs", "options": [ "rw", "noexec" ] },
            { "destination": "\\\\.\\pipe\\docker_engine", "source": "\\\\.\\pipe\\docker_engine" }
          ]
        }
        """);
        AssertSameJson(ExpectedArgon("""
        {
          "MappedDirectories": [
            { "HostPath": "D:\\volumes\\data", "ContainerPath": "C:\\data" },
            { "HostPath": "D:\\volumes\\config", "ContainerPath": "C:\\config", "ReadOnly": true },
            { "HostPath": "D:\\logs", "ContainerPath": "C:\\logs" }
          ],
          "MappedPipes": [
            { "ContainerPipeName": "docker_engine", "HostPath": "\\\\.\\pipe\\docker_engine" }
          ]
        }
        """), Write(OciToHcs.ToComputeSystem(spec, Options())));
    }

    [Theory]
    [InlineData(2147483648UL, 2048UL)]          // 2 GiB
    [InlineData(2147483648UL + 524288, 2048UL)] // 2 GiB and half a MiB: rounded down, as hcsshim divides
    [InlineData(1048576UL, 1UL)]                // 1 MiB, the least
    public void Memory_limit_in_whole_mebibytes(ulong limit, ulong sizeInMB)
    {
        var doc = OciToHcs.ToComputeSystem(Spec($$"""{ "windows": { "resources": { "memory": { "limit": {{limit}} } } } }"""), Options());
        AssertSameJson(ExpectedArgon($$"""{ "Memory": { "SizeInMB": {{sizeInMB}} } }"""), Write(doc));
    }

    [Fact]
    public void Memory_limit_of_zero_is_no_limit()
    {
        var doc = OciToHcs.ToComputeSystem(Spec("""{ "windows": { "resources": { "memory": { "limit": 0 } } } }"""), Options());
        AssertSameJson(ExpectedArgon(), Write(doc));
    }

    [Fact]
    public void Processor_count()
    {
        var doc = OciToHcs.ToComputeSystem(Spec("""{ "windows": { "resources": { "cpu": { "count": 2 } } } }"""), Options(processors: 4));
        AssertSameJson(ExpectedArgon("""{ "Processor": { "Count": 2 } }"""), Write(doc));
    }

    [Fact]
    public void Processor_count_above_the_processors_available_is_lowered_to_them()
    {
        var doc = OciToHcs.ToComputeSystem(Spec("""{ "windows": { "resources": { "cpu": { "count": 64 } } } }"""), Options(processors: 4));
        AssertSameJson(ExpectedArgon("""{ "Processor": { "Count": 4 } }"""), Write(doc));
    }

    [Fact]
    public void Processor_maximum()
    {
        var doc = OciToHcs.ToComputeSystem(Spec("""{ "windows": { "resources": { "cpu": { "maximum": 5000 } } } }"""), Options());
        AssertSameJson(ExpectedArgon("""{ "Processor": { "Maximum": 5000 } }"""), Write(doc));
    }

    [Fact]
    public void Processor_shares_are_the_weight()
    {
        var doc = OciToHcs.ToComputeSystem(Spec("""{ "windows": { "resources": { "cpu": { "shares": 300 } } } }"""), Options());
        AssertSameJson(ExpectedArgon("""{ "Processor": { "Weight": 300 } }"""), Write(doc));
    }

    [Fact]
    public void Processor_zeros_are_unset_and_one_nonzero_is_not_a_conflict()
    {
        var doc = OciToHcs.ToComputeSystem(Spec("""{ "windows": { "resources": { "cpu": { "count": 0, "shares": 0, "maximum": 2500 } } } }"""), Options());
        AssertSameJson(ExpectedArgon("""{ "Processor": { "Maximum": 2500 } }"""), Write(doc));
    }

    [Fact]
    public void Storage_iops_and_bandwidth()
    {
        var doc = OciToHcs.ToComputeSystem(Spec("""{ "windows": { "resources": { "storage": { "iops": 500, "bps": 10485760 } } } }"""), Options());
        AssertSameJson(ExpectedArgon(storage: """{ "QoS": { "IopsMaximum": 500, "BandwidthMaximum": 10485760 } }"""), Write(doc));
    }

    [Fact]
    public void Hostname()
    {
        var doc = OciToHcs.ToComputeSystem(Spec("""{ "hostname": "web-1" }"""), Options());
        AssertSameJson(ExpectedArgon("""{ "GuestOs": { "HostName": "web-1" } }"""), Write(doc));
    }

    [Fact]
    public void Networking_with_a_namespace()
    {
        var doc = OciToHcs.ToComputeSystem(Spec("""
        {
          "windows": {
            "network": {
              "allowUnqualifiedDNSQuery": true,
              "DNSSearchList": [ "a.com", "b.com" ],
              "networkSharedContainerName": "pause-1",
              "networkNamespace": "168f3daf-efc6-4377-b20a-2c86764ba892"
            }
          }
        }
        """), Options());
        AssertSameJson(ExpectedArgon("""
        {
          "Networking": {
            "AllowUnqualifiedDnsQuery": true,
            "DnsSearchList": "a.com,b.com",
            "NetworkSharedContainerName": "pause-1",
            "Namespace": "168f3daf-efc6-4377-b20a-2c86764ba892"
          }
        }
        """), Write(doc));
    }

    [Fact]
    public void Networking_with_endpoints_names_the_namespace_created_for_them()
    {
        var doc = OciToHcs.ToComputeSystem(Spec("""
        { "windows": { "network": { "endpointList": [ "7a010682-17e0-4455-a838-02e5d9655fe6" ], "allowUnqualifiedDNSQuery": false } } }
        """), Options(endpointNamespace: "2f9b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"));
        AssertSameJson(ExpectedArgon("""{ "Networking": { "Namespace": "2f9b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d" } }"""), Write(doc));
    }

    [Fact]
    public void Hyper_v_isolation_is_a_hosted_system_of_the_utility_vm()
    {
        var spec = Spec("""{ "hostname": "h1", "windows": { "hyperv": { "utilityVMPath": "C:\\uvm" }, "resources": { "cpu": { "count": 8 } } } }""");
        var doc = OciToHcs.ToComputeSystem(spec, Options(processors: 2, hostingSystemId: "c1@vm"));
        AssertSameJson("""
        {
          "Owner": "carton-test",
          "SchemaVersion": { "Major": 2, "Minor": 1 },
          "HostingSystemId": "c1@vm",
          "ShouldTerminateOnLastHandleClosed": true,
          "HostedSystem": {
            "SchemaVersion": { "Major": 2, "Minor": 1 },
            "Container": {
              "GuestOs": { "HostName": "h1" },
              "Storage": {
                "Layers": [
                  { "Id": "6c4ff3b0-9d4e-5a1b-8f6e-2b9c1e7d0a11", "Path": "C:\\ProgramData\\carton\\layers\\sha256-app" },
                  { "Id": "0b3a6f52-71d4-5c8e-9a2b-4e5f6a7b8c9d", "Path": "C:\\ProgramData\\carton\\layers\\sha256-servercore" }
                ],
                "Path": "C:\\ProgramData\\carton\\containers\\c1\\scratch"
              },
              "Processor": { "Count": 2 },
              "RegistryChanges": {
                "AddValues": [
                  { "Key": { "Hive": "System", "Name": "ControlSet001\\Control" }, "Name": "WaitToKillServiceTimeout", "Type": "String", "StringValue": "2147483647" }
                ]
              }
            }
          }
        }
        """, Write(doc));
    }

    [Fact]
    public void Every_group_at_once()
    {
        var spec = Spec("""
        {
          "hostname": "all",
          "mounts": [ { "destination": "C:\\d", "source": "D:\\d", "options": [ "ro" ] } ],
          "windows": {
            "ignoreFlushesDuringBoot": true,
            "resources": { "memory": { "limit": 536870912 }, "cpu": { "maximum": 10000 }, "storage": { "iops": 100 } },
            "network": { "networkNamespace": "168f3daf-efc6-4377-b20a-2c86764ba892" }
          }
        }
        """);
        AssertSameJson(ExpectedArgon("""
        {
          "GuestOs": { "HostName": "all" },
          "MappedDirectories": [ { "HostPath": "D:\\d", "ContainerPath": "C:\\d", "ReadOnly": true } ],
          "Memory": { "SizeInMB": 512 },
          "Processor": { "Maximum": 10000 },
          "Networking": { "Namespace": "168f3daf-efc6-4377-b20a-2c86764ba892" }
        }
        """, storage: """{ "QoS": { "IopsMaximum": 100 } }"""), Write(OciToHcs.ToComputeSystem(spec, Options())));
    }
}
