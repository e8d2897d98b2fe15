// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "VirtualMachine", the part a Windows utility VM uses (hcsshim's WCOW UVM document): chipset and boot, topology, devices.</summary>
public sealed class VirtualMachine
{
    /// <summary>The VM's configuration version.</summary>
    public SchemaVersion? Version { get; set; }

    /// <summary>Whether a reset stops the VM (hcsshim sets it for utility VMs).</summary>
    public bool? StopOnReset { get; set; }

    /// <summary>Firmware and boot entry.</summary>
    public Chipset? Chipset { get; set; }

    /// <summary>Memory and processors.</summary>
    public Topology? ComputeTopology { get; set; }

    /// <summary>SCSI disks, virtual SMB shares, HvSocket.</summary>
    public Devices? Devices { get; set; }

    /// <summary>Registry edits in the guest.</summary>
    public RegistryChanges? RegistryChanges { get; set; }

    /// <summary>IO limits.</summary>
    public StorageQoS? StorageQoS { get; set; }

    /// <summary>Settings of the connection to the guest compute service (kept as JSON).</summary>
    public JsonElement? GuestConnection { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
