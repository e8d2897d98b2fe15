using Carton.Docker.Models;
using Carton.Images;
using Carton.Images.Registry;

namespace Carton.Docker;

/// <summary>
/// POST /auth (`docker login`): the credentials are checked against the registry as dockerd's loginV2 does (GET
/// /v2/, its challenge answered with them, basic or a bearer token, and /v2/ again), through the same
/// <see cref="RegistryClient.CheckLoginAsync"/> `carton image login` uses. The daemon keeps nothing: the CLI stores
/// the credentials and sends them with each pull and push (X-Registry-Auth).
/// </summary>
internal static class AuthEndpoint
{
    public static async Task Handle(DockerServices services, HttpContext ctx)
    {
        var auth = await DockerJson.ReadAsync(ctx, DockerJsonContext.Default.AuthConfig);
        var registry = RegistryHost(auth.ServerAddress);
        RegistryCredentials? credentials = !string.IsNullOrEmpty(auth.Username)
            ? new RegistryCredentials(auth.Username, auth.Password ?? "")
            : null;
        var options = new RegistryOptions { Credentials = credentials, IgnoreDockerConfig = true };
        try
        {
            using var client = new RegistryClient(registry, options);
            await client.CheckLoginAsync(ctx.RequestAborted);
        }
        catch (CartonException e) when (e.Kind == ErrorKind.PermissionDenied)
        {
            // dockerd answers refused credentials with 401 (errdefs.Unauthorized), the CLIs print the message
            await DockerJson.WriteAsync(ctx, new ErrorResponse { Message = e.Message }, DockerJsonContext.Wire.ErrorResponse, StatusCodes.Status401Unauthorized);
            return;
        }
        await DockerJson.WriteAsync(ctx, new AuthResponse { Status = "Login Succeeded", IdentityToken = "" }, DockerJsonContext.Wire.AuthResponse);
    }

    /// <summary>
    /// The registry of serveraddress as dockerd's Service.Auth reads it: "https://" added when it has no scheme, the
    /// URL's host kept ("https://host:5000/v2/" is host:5000); empty is Docker Hub ("https://index.docker.io/v1/" too).
    /// A host that no image reference could name is a 400 naming the field.
    /// </summary>
    private static string RegistryHost(string? serverAddress)
    {
        if (string.IsNullOrWhiteSpace(serverAddress)) return ImageReference.DockerHub;
        var text = serverAddress.Trim();
        if (!text.StartsWith("https://", StringComparison.Ordinal) && !text.StartsWith("http://", StringComparison.Ordinal)) text = "https://" + text;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Authority.Length == 0)
            throw DockerErrors.BadRequest($"unable to parse server address: \"{serverAddress}\"", "serveraddress");
        var host = uri.IsDefaultPort ? uri.Host : uri.Authority;
        // an explicit :443 or :80 is what the user typed: keep it as they wrote it
        if (text.Contains($"{uri.Host}:{uri.Port}", StringComparison.OrdinalIgnoreCase)) host = $"{uri.Host}:{uri.Port}";
        host = host.ToLowerInvariant();
        if (host is "index.docker.io" or ImageReference.DockerHubApiHost or ImageReference.DockerHub) return ImageReference.DockerHub;
        if (!ImageReference.TryParse($"{host}/x", out var parsed) || parsed.Registry != host)
            throw DockerErrors.BadRequest($"unable to parse server address: \"{serverAddress}\" is not a registry (host[:port])", "serveraddress");
        return host;
    }
}
