using System.Text.Json.Serialization;

namespace Carton.Docker.Models;

/// <summary>One event of GET /events (swagger EventMessage): the object's type, the action, the actor and the time.
/// Containers' and images' events also carry the legacy <c>status</c>, <c>id</c> and <c>from</c> fields, as dockerd
/// still writes them (docker-py and older clients read those).</summary>
public sealed class EventMessage
{
    /// <summary>container, image, network, volume, daemon, ...</summary>
    public string Type { get; set; } = "";
    /// <summary>create, start, die, destroy, health_status: healthy, pull, connect, ...</summary>
    public string Action { get; set; } = "";
    public EventActor Actor { get; set; } = new();
    /// <summary>Always "local" (no swarm).</summary>
    [JsonPropertyName("scope")] public string Scope { get; set; } = "local";
    /// <summary>Unix seconds.</summary>
    [JsonPropertyName("time")] public long Time { get; set; }
    /// <summary>Unix nanoseconds.</summary>
    [JsonPropertyName("timeNano")] public long TimeNano { get; set; }

    /// <summary>Legacy: the action (containers and images only).</summary>
    [JsonPropertyName("status")] public string? Status { get; set; }
    /// <summary>Legacy: the actor's id (containers and images only).</summary>
    [JsonPropertyName("id")] public string? Id { get; set; }
    /// <summary>Legacy: a container's image (containers only).</summary>
    [JsonPropertyName("from")] public string? From { get; set; }
}

/// <summary>What an event is about: its id and attributes (a container's name and image and labels, a network's name
/// and type, ...).</summary>
public sealed class EventActor
{
    public string ID { get; set; } = "";
    public Dictionary<string, string> Attributes { get; set; } = [];
}
