namespace Carton.Images.Linux.Unpack;

/// <summary>Ids of the image to ids on disk through a user-namespace mapping (<see cref="UnpackOptions.UidMap"/>).</summary>
internal static class IdMapping
{
    /// <summary>The host id for <paramref name="id"/>, or null when no range holds it. No map: the id itself.</summary>
    public static uint? Map(IReadOnlyList<IdRange>? map, long id)
    {
        if (id < 0 || id > uint.MaxValue) return null;
        if (map is null) return (uint)id;
        for (int i = 0; i < map.Count; i++)
        {
            var r = map[i];
            if (id >= r.ContainerId && id < (long)r.ContainerId + r.Size)
            {
                long host = r.HostId + (id - r.ContainerId);
                return host <= uint.MaxValue ? (uint)host : null;
            }
        }
        return null;
    }

    /// <summary>"0-65535 → 100000-165535, …" for an error message.</summary>
    public static string Describe(IReadOnlyList<IdRange> map)
    {
        var parts = new List<string>(map.Count);
        foreach (var r in map)
            parts.Add(r.Size == 0 ? $"(empty at {r.ContainerId})" : $"{r.ContainerId}-{(long)r.ContainerId + r.Size - 1} → {r.HostId}-{(long)r.HostId + r.Size - 1}");
        return string.Join(", ", parts);
    }
}
