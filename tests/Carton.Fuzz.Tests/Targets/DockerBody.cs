using Microsoft.AspNetCore.Http;
using System.Text.Json.Serialization.Metadata;

namespace Carton.Fuzz.Tests.Targets;

/// <summary>A Docker API request body read as the endpoints read it: DockerJson.ReadAsync over a request whose body is the input.</summary>
internal static class DockerBody
{
    public static T Read<T>(byte[] input, JsonTypeInfo<T> type) where T : class
    {
        var ctx = new DefaultHttpContext();
        ctx.Request.Body = new MemoryStream(input, writable: false);
        return Carton.Docker.DockerJson.ReadAsync(ctx, type).GetAwaiter().GetResult();
    }
}
