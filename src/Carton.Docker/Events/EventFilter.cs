using Carton.Docker.Models;

namespace Carton.Docker.Events;

/// <summary>
/// GET /events' filters, matched as dockerd's daemon/events/filter.go matches them: every key given must match.
/// <c>type</c>, <c>scope</c> and <c>image</c> match exactly; <c>container</c>, <c>network</c>, <c>volume</c> and
/// <c>daemon</c> match the actor's id by prefix or its name attribute exactly, and only events of that type can;
/// <c>event</c> matches the action exactly, or by prefix when a value is health_status, exec_create or exec_start
/// (their actions carry a suffix: "health_status: healthy"); <c>label</c> is a key or key=value among the attributes.
/// </summary>
internal sealed class EventFilter
{
    public static readonly string[] Keys = ["type", "container", "image", "event", "label", "network", "volume", "daemon", "scope",
        "plugin", "node", "service", "secret", "config"];

    private static readonly string[] KnownTypes = ["container", "image", "network", "volume", "daemon", "plugin", "builder",
        "node", "service", "secret", "config"];

    private readonly DockerFilters _filters;

    private EventFilter(DockerFilters filters) => _filters = filters;

    public static EventFilter Parse(HttpContext ctx)
    {
        var filters = DockerFilters.Parse(ctx, Keys);
        foreach (var type in filters.Get("type"))
            if (!KnownTypes.Contains(type)) throw DockerErrors.BadRequest($"invalid filter 'type={type}'", "filters");
        foreach (var scope in filters.Get("scope"))
            if (scope is not ("local" or "swarm")) throw DockerErrors.BadRequest($"invalid filter 'scope={scope}'", "filters");
        return new EventFilter(filters);
    }

    public bool Includes(EventMessage e) =>
        MatchEvent(e.Action)
        && Exact("type", e.Type)
        && Exact("scope", e.Scope)
        && NameOf(e, "container") && NameOf(e, "network") && NameOf(e, "volume") && NameOf(e, "daemon")
        && NameOf(e, "plugin") && NameOf(e, "node") && NameOf(e, "service") && NameOf(e, "secret") && NameOf(e, "config")
        && MatchImage(e)
        && MatchLabels(e.Actor.Attributes);

    private bool MatchEvent(string action)
    {
        var values = _filters.Get("event");
        if (values.Count == 0) return true;
        bool fuzzy = values.Any(v => v is "health_status" or "exec_create" or "exec_start");
        return values.Any(v => v == action || (fuzzy && action.StartsWith(v, StringComparison.Ordinal)));
    }

    private bool Exact(string key, string? text) => !_filters.Has(key) || (text is not null && _filters.Get(key).Contains(text));

    /// <summary>filters.Args.FuzzyMatch on the id (prefix) or the name attribute (prefix too, as Go's does).</summary>
    private bool NameOf(EventMessage e, string key)
    {
        if (!_filters.Has(key)) return true;
        if (e.Type != key) return false;
        e.Actor.Attributes.TryGetValue("name", out var name);
        return _filters.Get(key).Any(v => Fuzzy(v, e.Actor.ID) || (name is not null && Fuzzy(v, name)));
    }

    private static bool Fuzzy(string value, string text) => text == value || text.StartsWith(value, StringComparison.Ordinal);

    /// <summary>The image filter: the actor's id, or its image name (the "image" attribute of a container's events,
    /// "name" of an image's), with or without a tag.</summary>
    private bool MatchImage(EventMessage e)
    {
        if (!_filters.Has("image")) return true;
        e.Actor.Attributes.TryGetValue(e.Type == "image" ? "name" : "image", out var imageName);
        string[] candidates = [e.Actor.ID, imageName ?? "", StripTag(e.Actor.ID), StripTag(imageName ?? "")];
        return _filters.Get("image").Any(v => candidates.Contains(v));
    }

    /// <summary>A reference without its tag ("busybox:1" → "busybox", "127.0.0.1:5000/b:1" → "127.0.0.1:5000/b");
    /// digests and untagged names unchanged.</summary>
    private static string StripTag(string reference)
    {
        if (reference.Contains('@')) return reference;
        int colon = reference.LastIndexOf(':');
        return colon > reference.LastIndexOf('/') ? reference[..colon] : reference;
    }

    private bool MatchLabels(Dictionary<string, string> attributes) =>
        _filters.Get("label").All(label =>
        {
            int eq = label.IndexOf('=');
            return eq < 0 ? attributes.ContainsKey(label) : attributes.TryGetValue(label[..eq], out var v) && v == label[(eq + 1)..];
        });
}
