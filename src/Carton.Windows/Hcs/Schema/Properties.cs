// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "Properties": what HcsGetComputeSystemProperties returns (the subset in use).</summary>
public sealed class Properties
{
    /// <summary>The system id.</summary>
    public string? Id { get; set; }

    /// <summary>"Container" or "VirtualMachine".</summary>
    public string? SystemType { get; set; }

    /// <summary>The guest OS type.</summary>
    public string? RuntimeOsType { get; set; }

    /// <summary>The system name.</summary>
    public string? Name { get; set; }

    /// <summary>The owner.</summary>
    public string? Owner { get; set; }

    /// <summary>The runtime id (a GUID).</summary>
    public string? RuntimeId { get; set; }

    /// <summary>The system GUID.</summary>
    public string? SystemGUID { get; set; }

    /// <summary>The template id.</summary>
    public string? RuntimeTemplateId { get; set; }

    /// <summary>The state ("Created", "Running", "Paused", "Stopped", ...).</summary>
    public string? State { get; set; }

    /// <summary>Whether the system has stopped.</summary>
    public bool? Stopped { get; set; }

    /// <summary>How it stopped.</summary>
    public string? ExitType { get; set; }

    /// <summary>Memory information of a VM (MemoryInformationForVm), kept as JSON.</summary>
    public JsonElement? Memory { get; set; }

    /// <summary>Runtime statistics, when queried.</summary>
    public Statistics? Statistics { get; set; }

    /// <summary>The processes, when queried.</summary>
    public List<ProcessDetails>? ProcessList { get; set; }

    /// <summary>Whether the system ends with its last handle.</summary>
    public bool? TerminateOnLastHandleClosed { get; set; }

    /// <summary>The hosting utility VM, if any.</summary>
    public string? HostingSystemId { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
