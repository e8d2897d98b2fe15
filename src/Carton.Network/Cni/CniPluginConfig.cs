using System.Text.Json.Nodes;

namespace Carton.Network.Cni;

/// <summary>One plugin of a configuration list: its <c>type</c> (the binary's name), and the object as written,
/// which is what the plugin gets on stdin (with <c>name</c>, <c>cniVersion</c>, <c>runtimeConfig</c> and
/// <c>prevResult</c> injected at each call).</summary>
public sealed class CniPluginConfig
{
    internal CniPluginConfig(string type, string? name, JsonObject raw, IReadOnlyDictionary<string, bool> capabilities)
    {
        Type = type;
        Name = name;
        Raw = raw;
        Capabilities = capabilities;
    }

    /// <summary>The plugin's <c>type</c>: the file name of its binary in the plugin directories.</summary>
    public string Type { get; }

    /// <summary>The plugin object's own <c>name</c>, when it has one (the list's name replaces it on stdin).</summary>
    public string? Name { get; }

    /// <summary>The plugin object as written in the configuration. Do not modify it: every call copies it.</summary>
    public JsonObject Raw { get; }

    /// <summary>The plugin's <c>capabilities</c> ("portMappings": true, ...): only the capability arguments declared
    /// true here reach the plugin, in <c>runtimeConfig</c>.</summary>
    public IReadOnlyDictionary<string, bool> Capabilities { get; }
}
