// HCS schema v2 type; names and casing as Microsoft's published schema (learn.microsoft.com/virtualization/api/hcs/schemareference),
// read from hcsshim's internal/hcs/schema2. C# property names are the wire names (no naming policy is set).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Carton.Windows.Hcs.Schema;

/// <summary>Schema "HvSocket" (a container's): HvSocket settings.</summary>
public sealed class HvSocket
{
    /// <summary>Security descriptors and service table.</summary>
    public HvSocketSystemConfig? Config { get; set; }

    /// <summary>Whether PowerShell Direct may connect.</summary>
    public bool? EnablePowerShellDirect { get; set; }

    /// <summary>Fields this type does not model, kept so that a read and write loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
