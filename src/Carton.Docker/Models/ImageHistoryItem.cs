using System.Text.Json.Serialization;

namespace Carton.Docker.Models;

/// <summary>One layer of GET /images/{name}/history (swagger HistoryResponseItem), newest first.</summary>
public sealed class ImageHistoryItem
{
    /// <summary>The image id on the top entry; "&lt;missing&gt;" on the others (they are no images of their own).</summary>
    public string Id { get; set; } = "";

    /// <summary>Unix seconds (0 when the config's history entry has no time).</summary>
    public long Created { get; set; }

    public string CreatedBy { get; set; } = "";

    /// <summary>The image's tagged names on the top entry; null (Go's nil slice) on the others.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public List<string>? Tags { get; set; }

    public long Size { get; set; }

    public string Comment { get; set; } = "";
}
