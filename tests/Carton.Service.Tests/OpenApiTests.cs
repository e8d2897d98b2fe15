using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Carton.Compute;
using Carton.Images.Api;
using Carton.Network;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Carton.Service.Tests;

/// <summary>
/// openapi.json is written by hand, so it is checked against what the daemon really serves: every route the app maps
/// (method and path) is documented and nothing else is, and every schema named after a contract type (the compute
/// contract's and the network contract's) lists exactly the JSON properties that type has, recursively. Drift fails
/// here, not in a client. The network routes are mapped only when the daemon has a network service: they are taken
/// from <see cref="NetworkApi.Routes"/>, the table <see cref="NetworkApi.Map"/> maps.
/// </summary>
public sealed class OpenApiTests
{
    private static JsonObject Document()
    {
        using var s = typeof(ComputeApi).Assembly.GetManifestResourceStream("openapi.json")!;
        return JsonNode.Parse(s)!.AsObject();
    }

    private static HashSet<string> RealRoutes()
    {
        var dir = Directory.CreateTempSubdirectory("carton-openapi-");
        try
        {
            var service = new Carton.Compute.Linux.ComputeService(new Carton.Compute.Linux.ComputeServiceOptions { StateRoot = dir.FullName, InitBinaryPath = "/bin/true" });
            var app = DaemonHost.Build(Path.Combine(dir.FullName, "s.sock"), service);
            var routes = new HashSet<string>(StringComparer.Ordinal);
            foreach (var endpoint in ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>())
                foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
                    routes.Add($"{method.ToUpperInvariant()} {endpoint.RoutePattern.RawText}");
            return routes;
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void EveryRoute_IsDocumented_AndNothingElse()
    {
        var documented = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, item) in Document()["paths"]!.AsObject())
            foreach (var (method, _) in item!.AsObject())
                if (method is "get" or "post" or "put" or "delete" or "head" or "patch")
                    documented.Add($"{method.ToUpperInvariant()} {path}");
        var real = RealRoutes();
        Assert.NotEmpty(real);
        Assert.DoesNotContain(real, r => r.Contains("/v1/networks", StringComparison.Ordinal)); // no network service given
        real.UnionWith(NetworkApi.Routes);
        Assert.DoesNotContain(real, r => r.Contains("/v1/images", StringComparison.Ordinal) && !ImageApi.Routes.Contains(r)); // no image store given
        real.UnionWith(ImageApi.Routes);
        Assert.Empty(real.Except(documented));
        Assert.Empty(documented.Except(real));
    }

    public static TheoryData<string> ContractSchemas =>
    [
        nameof(ComputeSystemDocument), nameof(ProcessParameters), nameof(ComputeSystemSummary), nameof(ComputeSystemProperties),
        nameof(ComputeSystemEvent), nameof(ComputeResources), nameof(ComputeStatistics), nameof(SystemNetworking),
    ];

    [Theory]
    [MemberData(nameof(ContractSchemas))]
    public void ContractSchema_MatchesTheModel(string name)
    {
        var doc = Document();
        var schemas = doc["components"]!["schemas"]!.AsObject();
        Assert.True(schemas.ContainsKey(name), $"openapi.json has no schema {name}");
        var type = ComputeJsonContext.Default.GetTypeInfo(typeof(ComputeSystemDocument).Assembly.GetType("Carton.Compute." + name)!)!;
        var problems = new List<string>();
        Compare(ComputeJsonContext.Default, type, schemas[name]!.AsObject(), schemas, name, problems, depth: 0);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static readonly string[] NetworkModels =
    [
        nameof(NetworkCreateOptions), nameof(NetworkInfo), nameof(EndpointCreateOptions), nameof(EndpointInfo),
        nameof(NamespaceCreateOptions), nameof(NamespaceInfo), nameof(PortMapping),
    ];

    public static TheoryData<string> NetworkSchemas => new(NetworkModels);

    [Theory]
    [MemberData(nameof(NetworkSchemas))]
    public void NetworkSchema_MatchesTheModel(string name)
    {
        var schemas = Document()["components"]!["schemas"]!.AsObject();
        Assert.True(schemas.ContainsKey(name), $"openapi.json has no schema {name}");
        var type = NetworkJsonContext.Default.GetTypeInfo(typeof(NetworkInfo).Assembly.GetType("Carton.Network." + name)!)!;
        var problems = new List<string>();
        Compare(NetworkJsonContext.Default, type, schemas[name]!.AsObject(), schemas, name, problems, depth: 0);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>Every model the network contract exchanges (the parameters and results of <see cref="INetworkService"/>,
    /// and the models they hold) is one of <see cref="NetworkSchemas"/>: a new one cannot go undocumented.</summary>
    [Fact]
    public void EveryNetworkModel_IsChecked()
    {
        var seen = new HashSet<Type>();
        var queue = new Queue<Type>(typeof(INetworkService).GetMethods()
            .SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType)));
        while (queue.Count > 0)
        {
            var t = queue.Dequeue();
            if (t.IsGenericType)
            {
                foreach (var a in t.GetGenericArguments()) queue.Enqueue(a);
                continue;
            }
            if (t.Namespace != "Carton.Network" || !t.IsClass || !seen.Add(t)) continue;
            foreach (var p in t.GetProperties()) queue.Enqueue(p.PropertyType);
        }
        Assert.NotEmpty(seen);
        var unchecked_ = seen.Select(t => t.Name).Except(NetworkModels).ToList();
        Assert.True(unchecked_.Count == 0, "network models without a checked schema: " + string.Join(", ", unchecked_));
    }

    public static TheoryData<string> ImageSchemas =>
    [
        nameof(ImagePullRequest), nameof(ImageTransferEvent), nameof(ImageSummary), nameof(ImageDetails), nameof(ImageTagRequest), nameof(ImageTagResult),
        nameof(ImagePushRequest), nameof(ImagePruneRequest), nameof(ImagePruneResponse),
    ];

    [Theory]
    [MemberData(nameof(ImageSchemas))]
    public void ImageSchema_MatchesTheModel(string name)
    {
        var schemas = Document()["components"]!["schemas"]!.AsObject();
        Assert.True(schemas.ContainsKey(name), $"openapi.json has no schema {name}");
        var type = ImageApiJsonContext.Default.GetTypeInfo(typeof(ImageSummary).Assembly.GetType("Carton.Images.Api." + name)!)!;
        var problems = new List<string>();
        Compare(ImageApiJsonContext.Default, type, schemas[name]!.AsObject(), schemas, name, problems, depth: 0);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>Compares an object's JSON properties with a schema's "properties", both ways, and recurses into
    /// properties whose schema lists properties of its own (a schema without "properties" is opaque: an OCI spec).</summary>
    private static void Compare(IJsonTypeInfoResolver context, JsonTypeInfo type, JsonObject schema, JsonObject schemas, string where, List<string> problems, int depth)
    {
        if (schema["allOf"] is JsonArray { Count: 1 } all) schema = all[0]!.AsObject();
        if (schema["$ref"] is JsonValue r)
            schema = schemas[r.GetValue<string>().Split('/')[^1]]!.AsObject();
        if (schema["type"]?.GetValue<string>() == "array" && schema["items"] is JsonObject items)
        {
            var element = ElementType(type.Type);
            if (element is not null && context.GetTypeInfo(element, type.Options) is { } elementInfo)
                Compare(context, elementInfo, items, schemas, where + "[]", problems, depth + 1);
            return;
        }
        if (type.Kind != JsonTypeInfoKind.Object || schema["properties"] is not JsonObject props || depth > 8) return;
        var modelNames = type.Properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var p in modelNames.Where(n => !props.ContainsKey(n))) problems.Add($"{where}.{p}: in the model, not in openapi.json");
        foreach (var (p, _) in props.Where(kv => !modelNames.Contains(kv.Key))) problems.Add($"{where}.{p}: in openapi.json, not in the model");
        foreach (var property in type.Properties)
            if (props[property.Name] is JsonObject child)
            {
                var childType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                if (context.GetTypeInfo(childType, type.Options) is { } info)
                    Compare(context, info, child, schemas, $"{where}.{property.Name}", problems, depth + 1);
            }
    }

    private static Type? ElementType(Type t) =>
        t.IsArray ? t.GetElementType() : t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>) ? t.GetGenericArguments()[0] : null;

    [Fact]
    public void ErrorSchema_ListsEveryKindAndWireCode()
    {
        var error = Document()["components"]!["schemas"]!["Error"]!["properties"]!.AsObject();
        var kinds = error["kind"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>()).ToHashSet();
        Assert.Equal(Enum.GetNames<ErrorKind>().ToHashSet(), kinds);
        var codes = error["code"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>()).ToHashSet();
        foreach (var row in ErrorTable.All) Assert.Contains(row.Code, codes);
    }
}
