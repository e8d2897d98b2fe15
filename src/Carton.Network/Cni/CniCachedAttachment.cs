using System.Text.Json.Nodes;

namespace Carton.Network.Cni;

/// <summary>What the runtime kept on disk of a successful ADD: enough to DEL it after a restart, without the
/// network's configuration file.</summary>
public sealed class CniCachedAttachment
{
    internal CniCachedAttachment(string networkName, string containerId, string ifName, string netnsPath, CniConfigList config,
        CniResult? result, IReadOnlyList<KeyValuePair<string, string>> args, IReadOnlyDictionary<string, JsonNode?> capabilityArgs)
    {
        NetworkName = networkName; ContainerId = containerId; IfName = ifName; NetnsPath = netnsPath;
        Config = config; Result = result; Args = args; CapabilityArgs = capabilityArgs;
    }

    /// <summary>The network's name.</summary>
    public string NetworkName { get; }
    /// <summary>The container's id.</summary>
    public string ContainerId { get; }
    /// <summary>The interface's name in the container.</summary>
    public string IfName { get; }
    /// <summary>The network namespace path the ADD was given.</summary>
    public string NetnsPath { get; }
    /// <summary>The configuration list the ADD ran.</summary>
    public CniConfigList Config { get; }
    /// <summary>The chain's final result.</summary>
    public CniResult? Result { get; }
    /// <summary>The CNI_ARGS the ADD was given.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Args { get; }
    /// <summary>The capability arguments the ADD was given (all of them, before filtering per plugin).</summary>
    public IReadOnlyDictionary<string, JsonNode?> CapabilityArgs { get; }

    /// <summary>The attachment's key.</summary>
    public CniAttachmentKey Key => new(ContainerId, IfName);
}
