// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "Networking" (a container's): its network namespace and DNS settings.</summary>
public sealed class Networking
{
    /// <summary>Whether unqualified names are resolved.</summary>
    public bool? AllowUnqualifiedDnsQuery { get; set; }

    /// <summary>DNS suffixes, comma-separated (one string, not a list).</summary>
    public string? DnsSearchList { get; set; }

    /// <summary>The container whose network stack this one shares.</summary>
    public string? NetworkSharedContainerName { get; set; }

    /// <summary>The HCN namespace GUID.</summary>
    public string? Namespace { get; set; }

    /// <summary>Network adapter ids.</summary>
    public List<string>? NetworkAdapters { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
