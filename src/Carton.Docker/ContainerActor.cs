using Carton.Docker.Models;

namespace Carton.Docker;

/// <summary>A container as the actor of an event: dockerd's LogContainerEventWithAttributes (daemon/events.go) gives
/// the container's labels, "image" (as the client named it) and "name" (without its '/'), plus the action's own.</summary>
internal static class ContainerActor
{
    public static Dictionary<string, string> Attributes(ContainerRecord record, IReadOnlyDictionary<string, string>? extra = null)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in record.Config.Labels ?? []) attributes[k] = v;
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) attributes[k] = v;
        attributes["image"] = record.Image;
        attributes["name"] = record.Name.TrimStart('/');
        return attributes;
    }

    /// <summary>Publishes a container event for <paramref name="record"/>.</summary>
    public static void Publish(DockerServices services, ContainerRecord record, string action, IReadOnlyDictionary<string, string>? extra = null) =>
        services.Events.Publish("container", action, record.Id, Attributes(record, extra));
}
