using System.Text.RegularExpressions;

namespace Carton.Docker;

/// <summary>
/// Docker's version handling: a path may start with <c>/vX.Y</c>; the prefix is taken off before routing and the
/// version checked against the range served (outside it: 400 with dockerd's own wording, which the CLIs print as
/// is). An unversioned path is served as <see cref="ApiVersion.Maximum"/>. Every answer carries the headers dockerd
/// puts on all of them (Server, Api-Version, OSType).
/// </summary>
internal static partial class VersionMiddleware
{
    private const string ItemKey = "carton.docker.version";

    /// <summary>The version the request asked for (its path's prefix, or the maximum).</summary>
    public static ApiVersion Of(HttpContext ctx) => ctx.Items.TryGetValue(ItemKey, out var v) && v is ApiVersion version ? version : ApiVersion.Maximum;

    public static void Use(WebApplication app, DockerHostInfo host)
    {
        app.Use(async (ctx, next) =>
        {
            // when the response starts, not now: an error answer clears the headers set before it
            ctx.Response.OnStarting(static state =>
            {
                var (response, version) = ((HttpResponse, string))state;
                response.Headers["Server"] = $"Carton/{version} (linux)";
                response.Headers["Api-Version"] = ApiVersion.Maximum.ToString();
                response.Headers["OSType"] = "linux";
                return Task.CompletedTask;
            }, (ctx.Response, host.Version));
            var version = ApiVersion.Maximum;
            var match = Prefix().Match(ctx.Request.Path.Value ?? "");
            if (match.Success)
            {
                var text = match.Groups[1].Value;
                if (!ApiVersion.TryParse(text, out version))
                    throw DockerErrors.BadRequest($"invalid API version \"{text}\"");
                if (version < ApiVersion.Minimum)
                    throw DockerErrors.BadRequest(
                        $"client version {text} is too old. Minimum supported API version is {ApiVersion.Minimum}, please upgrade your client to a newer version");
                if (version > ApiVersion.Maximum)
                    throw DockerErrors.BadRequest($"client version {text} is too new. Maximum supported API version is {ApiVersion.Maximum}");
                ctx.Request.Path = match.Groups[2].Success && match.Groups[2].Length > 0 ? match.Groups[2].Value : "/";
            }
            ctx.Items[ItemKey] = version;
            await next(ctx);
        });
    }

    // dockerd's router: "/v{version:[0-9.]+}" before every route.
    [GeneratedRegex(@"^/v([0-9]+(?:\.[0-9]+)*)(/.*)?$")]
    private static partial Regex Prefix();
}
