using Carton.Docker.Models;

namespace Carton.Docker.Events;

/// <summary>
/// The actor attributes dockerd gives each kind of event (daemon/events.go): a container's labels, then its name and
/// image (as the user gave it); an image's name; a network's name and type, and the container on connect and
/// disconnect. Extra attributes (exitCode for die, signal for kill, execID for exec_*) are added by the caller.
/// </summary>
internal static class ResourceEvents
{
    public static void Container(this DockerEvents events, ContainerRecord record, string action, params (string Key, string Value)[] extra)
    {
        var attributes = record.Config.Labels is { } labels ? new Dictionary<string, string>(labels) : [];
        attributes["image"] = record.Image;
        attributes["name"] = record.Name.TrimStart('/');
        foreach (var (key, value) in extra) attributes[key] = value;
        events.Publish("container", action, record.Id, attributes);
    }

    /// <summary>An image event: <paramref name="id"/> is the image id (sha256:…) or, for pull and push, the reference.</summary>
    public static void Image(this DockerEvents events, string id, string action, string name) =>
        events.Publish("image", action, id, new Dictionary<string, string> { ["name"] = name });

    public static void Network(this DockerEvents events, string id, string name, string action, string? container = null)
    {
        var attributes = new Dictionary<string, string> { ["name"] = name, ["type"] = "bridge" };
        if (container is not null) attributes["container"] = container;
        events.Publish("network", action, id, attributes);
    }
}
