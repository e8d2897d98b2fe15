// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "HvSocketServiceConfig": the HvSocket security of one service.</summary>
public sealed class HvSocketServiceConfig
{
    /// <summary>SDDL checked before a host process binds this service.</summary>
    public string? BindSecurityDescriptor { get; set; }

    /// <summary>SDDL checked before a host process connects to this service.</summary>
    public string? ConnectSecurityDescriptor { get; set; }

    /// <summary>Whether wildcard binds are processed for this service.</summary>
    public bool? AllowWildcardBinds { get; set; }

    /// <summary>Whether the service refuses connections.</summary>
    public bool? Disabled { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
