using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Carton.Network;

namespace Carton.Service;

/// <summary>
/// The network routes (issue 12 §7): exactly <see cref="INetworkService"/>, one route per member, JSON through
/// <see cref="NetworkJsonContext"/>. Errors are the service's <see cref="CartonException"/>s, mapped by
/// <see cref="ErrorAndLogMiddleware"/> like the compute routes' (a missing network is 404 NotFound, a network with
/// endpoints 409 InvalidState, a bad field 400 with its JSON path).
/// </summary>
public static class NetworkApi
{
    private delegate Task Handler(INetworkService networks, HttpContext ctx);

    /// <summary>Compact JSON on the wire (the contract's context indents, for the stored records and the CLI).</summary>
    private static readonly NetworkJsonContext Wire = new(new JsonSerializerOptions(NetworkJsonContext.Default.Options) { WriteIndented = false });

    /// <summary>The routes, in one table: <see cref="Map"/> maps exactly these, and <see cref="Routes"/> lists them
    /// (openapi.json is checked against it).</summary>
    private static readonly (string Method, string Pattern, Handler Handle)[] Table =
    [
        // networks
        ("POST", "/v1/networks", async (n, ctx) =>
        {
            var options = await JsonBody.ReadAsync(ctx, NetworkJsonContext.Default.NetworkCreateOptions);
            var network = await n.CreateNetworkAsync(options, ctx.RequestAborted);
            await Created(ctx, "/v1/networks/" + Uri.EscapeDataString(network.Name), network, Wire.NetworkInfo);
        }),
        ("GET", "/v1/networks", async (n, ctx) =>
            await JsonBody.WriteAsync(ctx, [.. await n.ListNetworksAsync(ctx.RequestAborted)], Wire.ListNetworkInfo)),
        ("GET", "/v1/networks/{name}", async (n, ctx) =>
            await JsonBody.WriteAsync(ctx, await n.InspectNetworkAsync(Route(ctx, "name"), ctx.RequestAborted), Wire.NetworkInfo)),
        ("DELETE", "/v1/networks/{name}", async (n, ctx) =>
        {
            await n.DeleteNetworkAsync(Route(ctx, "name"), ctx.RequestAborted);
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
        }),

        // endpoints
        ("POST", "/v1/endpoints", async (n, ctx) =>
        {
            var options = await JsonBody.ReadAsync(ctx, NetworkJsonContext.Default.EndpointCreateOptions);
            var endpoint = await n.CreateEndpointAsync(options, ctx.RequestAborted);
            await Created(ctx, "/v1/endpoints/" + Uri.EscapeDataString(endpoint.Id), endpoint, Wire.EndpointInfo);
        }),
        ("GET", "/v1/endpoints", async (n, ctx) =>
        {
            string? network = ctx.Request.Query.TryGetValue("network", out var v) && v.Count > 0 ? v[0] : null;
            await JsonBody.WriteAsync(ctx, [.. await n.ListEndpointsAsync(network, ctx.RequestAborted)], Wire.ListEndpointInfo);
        }),
        ("GET", "/v1/endpoints/{id}", async (n, ctx) =>
            await JsonBody.WriteAsync(ctx, await n.InspectEndpointAsync(Route(ctx, "id"), ctx.RequestAborted), Wire.EndpointInfo)),
        ("POST", "/v1/endpoints/{id}/attach", async (n, ctx) =>
        {
            var ns = await ReadNamespaceMember(ctx);
            await JsonBody.WriteAsync(ctx, await n.AttachEndpointAsync(Route(ctx, "id"), ns, ctx.RequestAborted), Wire.EndpointInfo);
        }),
        ("POST", "/v1/endpoints/{id}/detach", async (n, ctx) =>
            await JsonBody.WriteAsync(ctx, await n.DetachEndpointAsync(Route(ctx, "id"), ctx.RequestAborted), Wire.EndpointInfo)),
        ("DELETE", "/v1/endpoints/{id}", async (n, ctx) =>
        {
            await n.DeleteEndpointAsync(Route(ctx, "id"), ctx.RequestAborted);
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
        }),

        // namespaces
        ("POST", "/v1/namespaces", async (n, ctx) =>
        {
            var options = await JsonBody.ReadAsync(ctx, NetworkJsonContext.Default.NamespaceCreateOptions);
            var ns = await n.CreateNamespaceAsync(options, ctx.RequestAborted);
            await Created(ctx, "/v1/namespaces/" + Uri.EscapeDataString(ns.Id), ns, Wire.NamespaceInfo);
        }),
        ("GET", "/v1/namespaces", async (n, ctx) =>
            await JsonBody.WriteAsync(ctx, [.. await n.ListNamespacesAsync(ctx.RequestAborted)], Wire.ListNamespaceInfo)),
        ("GET", "/v1/namespaces/{id}", async (n, ctx) =>
            await JsonBody.WriteAsync(ctx, await n.InspectNamespaceAsync(Route(ctx, "id"), ctx.RequestAborted), Wire.NamespaceInfo)),
        ("DELETE", "/v1/namespaces/{id}", async (n, ctx) =>
        {
            await n.DeleteNamespaceAsync(Route(ctx, "id"), ctx.RequestAborted);
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
        }),
    ];

    /// <summary>Every route <see cref="Map"/> maps, as "METHOD /pattern".</summary>
    public static IReadOnlyList<string> Routes { get; } = [.. Table.Select(r => $"{r.Method} {r.Pattern}")];

    /// <summary>Maps the network routes over <paramref name="networks"/>.</summary>
    public static void Map(IEndpointRouteBuilder app, INetworkService networks)
    {
        ArgumentNullException.ThrowIfNull(networks);
        foreach (var (method, pattern, handle) in Table)
            app.MapMethods(pattern, [method], (RequestDelegate)(ctx => handle(networks, ctx)));
    }

    private static string Route(HttpContext ctx, string name) => (string)ctx.Request.RouteValues[name]!;

    /// <summary>The body of attach: <c>{"namespace":"ID"}</c>.</summary>
    private static async Task<string> ReadNamespaceMember(HttpContext ctx)
    {
        using (var doc = await JsonBody.ReadDocumentAsync(ctx))
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw Invalid("$", "a JSON object {\"namespace\":\"ID\"} is required");
            if (!doc.RootElement.TryGetProperty("namespace", out var ns) || ns.ValueKind != JsonValueKind.String || ns.GetString() is not { Length: > 0 } id)
                throw Invalid("$.namespace", "a namespace id (a non-empty string) is required");
            return id;
        }
    }

    private static CartonException Invalid(string path, string reason) => JsonBody.Invalid(path, reason);

    private static async Task Created<T>(HttpContext ctx, string location, T value, JsonTypeInfo<T> type)
    {
        ctx.Response.StatusCode = StatusCodes.Status201Created;
        ctx.Response.Headers.Location = location;
        await JsonBody.WriteAsync(ctx, value, type);
    }

}
