namespace Carton.Docker.Models;

/// <summary>GET /containers/{id}/top's answer: ps's column titles and, per process of the container, its row.</summary>
public sealed class ContainerTopResponse
{
    public List<string> Titles { get; set; } = [];
    public List<List<string>> Processes { get; set; } = [];
}
