namespace Carton.Docker;

/// <summary>Query parameters read the way dockerd reads them.</summary>
internal static class Query
{
    /// <summary>The first value, or null.</summary>
    public static string? String(HttpContext ctx, string name) =>
        ctx.Request.Query.TryGetValue(name, out var v) && v.Count > 0 ? v[0] : null;

    /// <summary>dockerd's BoolValue: absent, "", "0", "no", "false" and "none" are false (any case); anything else true.</summary>
    public static bool Bool(HttpContext ctx, string name) =>
        String(ctx, name)?.Trim().ToLowerInvariant() is { } s && s is not ("" or "0" or "no" or "false" or "none");
}
