using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Carton.Images.Registry;

/// <summary>
/// Credentials in Docker's client configuration, <c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>,
/// read and written as docker's CLI does (cli/config/configfile): <c>auths</c> maps a server address to a base64
/// "user:password" (<c>auth</c>) or separate <c>username</c>/<c>password</c>; <c>credHelpers</c> names a credential
/// helper per registry and <c>credsStore</c> one for all, and then the helper holds the secret (see
/// <see cref="CredentialHelper"/>) while <c>auths</c> keeps an empty entry for the registry. Docker Hub's address is
/// <see cref="DockerHubServerAddress"/>. Writes keep every other field of the file, replace it atomically and leave
/// it mode 0600, since it holds secrets.
/// </summary>
public static class DockerConfig
{
    /// <summary>The key docker uses for Docker Hub, in auths and with helpers (registry.IndexServer).</summary>
    public const string DockerHubServerAddress = "https://index.docker.io/v1/";

    /// <summary>The file Docker reads: $DOCKER_CONFIG/config.json when DOCKER_CONFIG is set, else ~/.docker/config.json.</summary>
    public static string DefaultPath()
    {
        var dir = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        if (string.IsNullOrEmpty(dir))
            dir = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
        return Path.Combine(dir, "config.json");
    }

    /// <summary>The key docker files a registry's credentials under: "https://index.docker.io/v1/" for docker.io, else host[:port].</summary>
    public static string ServerAddress(string registry) => IsDockerHub(registry) ? DockerHubServerAddress : registry;

    /// <summary>
    /// The credentials <paramref name="path"/> (default <see cref="DefaultPath"/>) holds for <paramref name="registry"/>,
    /// through its credential helper when one is named for it, or null when there are none. A file that is not valid
    /// JSON, or an <c>auth</c> that is not base64 "user:password", is an error naming the file and the field.
    /// </summary>
    public static RegistryCredentials? Find(string registry, string? path = null) =>
        FindAsync(registry, path).GetAwaiter().GetResult();

    /// <inheritdoc cref="Find"/>
    public static async Task<RegistryCredentials?> FindAsync(string registry, string? path = null, CancellationToken cancellationToken = default)
    {
        path ??= DefaultPath();
        var config = Load(path);
        if (config is null) return null;
        if (HelperFor(config, registry, path) is { } helper)
            return await helper.GetAsync(ServerAddress(registry), cancellationToken).ConfigureAwait(false);
        if (Auths(config, path) is not { } auths) return null;
        foreach (var (key, node) in auths)
        {
            if (!Matches(key, registry)) continue;
            if (node is not JsonObject entry)
                throw new CartonException(ErrorKind.InvalidDocument, $"docker config {path}: auths.\"{key}\" is not an object", jsonPath: $"auths.{key}");
            if (StringField(entry, "auth", path, key) is { Length: > 0 } auth)
                return Decode(auth, path, key);
            if (StringField(entry, "username", path, key) is { Length: > 0 } user)
                return new RegistryCredentials(user, StringField(entry, "password", path, key) ?? "");
        }
        return null;
    }

    /// <summary>The credential helper that holds <paramref name="registry"/>'s credentials, or null for the file itself.</summary>
    public static CredentialHelper? HelperFor(string registry, string? path = null)
    {
        path ??= DefaultPath();
        return Load(path) is { } config ? HelperFor(config, registry, path) : null;
    }

    /// <summary>
    /// Saves <paramref name="credentials"/> for <paramref name="registry"/> as `docker login` does: through the
    /// helper when one is named (auths then gets an empty entry, so `docker logout` finds the registry), else as
    /// auths[address].auth. Returns where they went ("credsStore pass", or the file).
    /// </summary>
    public static async Task<string> StoreAsync(string registry, RegistryCredentials credentials, string? path = null,
        CancellationToken cancellationToken = default)
    {
        path ??= DefaultPath();
        var config = Load(path) ?? [];
        var address = ServerAddress(registry);
        var auths = Auths(config, path) ?? (JsonObject)(config["auths"] = new JsonObject());
        // One entry per registry: another spelling of the same one (a URL form) would shadow or be shadowed by it.
        foreach (var key in auths.Select(a => a.Key).Where(k => k != address && Matches(k, registry)).ToList()) auths.Remove(key);
        var entry = auths[address] as JsonObject ?? new JsonObject();
        auths[address] = entry;
        foreach (var secret in new[] { "auth", "username", "password", "identitytoken", "registrytoken" }) entry.Remove(secret);
        string where;
        if (HelperFor(config, registry, path) is { } helper)
        {
            await helper.StoreAsync(address, credentials, cancellationToken).ConfigureAwait(false);
            where = helper.Program;
        }
        else
        {
            entry["auth"] = credentials.BasicToken();
            where = path;
        }
        Save(path, config);
        return where;
    }

    /// <summary>
    /// Removes <paramref name="registry"/>'s credentials: its auths entries, and what its helper holds. False when
    /// neither had any (docker's "Not logged in").
    /// </summary>
    public static async Task<bool> EraseAsync(string registry, string? path = null, CancellationToken cancellationToken = default)
    {
        path ??= DefaultPath();
        var config = Load(path);
        if (config is null) return false;
        bool removed = false;
        if (HelperFor(config, registry, path) is { } helper)
            removed = await helper.EraseAsync(ServerAddress(registry), cancellationToken).ConfigureAwait(false);
        if (Auths(config, path) is { } auths)
        {
            var keys = auths.Select(a => a.Key).Where(k => Matches(k, registry)).ToList();
            foreach (var key in keys) auths.Remove(key);
            if (keys.Count > 0)
            {
                removed = true;
                Save(path, config);
            }
        }
        return removed;
    }

    /// <summary>Docker's keys are a host[:port] or a URL ("https://index.docker.io/v1/"); Docker Hub has several names.</summary>
    private static bool Matches(string key, string registry)
    {
        var host = key;
        int scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) host = host[(scheme + 3)..];
        int slash = host.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0) host = host[..slash];
        if (string.Equals(host, registry, StringComparison.OrdinalIgnoreCase)) return true;
        return IsDockerHub(registry) && IsDockerHub(host);
    }

    private static bool IsDockerHub(string host) => host is ImageReference.DockerHub or "index.docker.io" or ImageReference.DockerHubApiHost;

    private static CredentialHelper? HelperFor(JsonObject config, string registry, string path)
    {
        if (config["credHelpers"] is { } helpersNode)
        {
            if (helpersNode is not JsonObject helpers)
                throw new CartonException(ErrorKind.InvalidDocument, $"docker config {path}: credHelpers is not an object", jsonPath: "credHelpers");
            foreach (var (key, value) in helpers)
                if (Matches(key, registry))
                    return new CredentialHelper(AsString(value, path, $"credHelpers.{key}") ?? "", $"credHelpers.\"{key}\" in {path}");
        }
        if (config["credsStore"] is { } store && AsString(store, path, "credsStore") is { Length: > 0 } name)
            return new CredentialHelper(name, $"credsStore in {path}");
        return null;
    }

    private static JsonObject? Auths(JsonObject config, string path) => config["auths"] switch
    {
        null => null,
        JsonObject o => o,
        _ => throw new CartonException(ErrorKind.InvalidDocument, $"docker config {path}: auths is not an object", jsonPath: "auths"),
    };

    private static string? StringField(JsonObject entry, string name, string path, string key) =>
        entry[name] is { } node ? AsString(node, path, $"auths.{key}.{name}") : null;

    private static string? AsString(JsonNode? node, string path, string field)
    {
        if (node is null) return null;
        if (node is JsonValue v && v.TryGetValue<string>(out var s)) return s;
        throw new CartonException(ErrorKind.InvalidDocument, $"docker config {path}: {field} is not a string", jsonPath: field);
    }

    private static RegistryCredentials Decode(string auth, string path, string key)
    {
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
        }
        catch (FormatException e)
        {
            throw new CartonException(ErrorKind.InvalidDocument, $"docker config {path}: auths.\"{key}\".auth is not base64", e, jsonPath: $"auths.{key}.auth");
        }
        int colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
            throw new CartonException(ErrorKind.InvalidDocument, $"docker config {path}: auths.\"{key}\".auth is not base64 of user:password", jsonPath: $"auths.{key}.auth");
        return new RegistryCredentials(decoded[..colon], decoded[(colon + 1)..]);
    }

    /// <summary>The file as a JSON object (every field kept, known or not), or null when it does not exist.</summary>
    private static JsonObject? Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        if (string.IsNullOrWhiteSpace(Encoding.UTF8.GetString(bytes))) return []; // docker reads an empty file as {}
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException e)
        {
            throw new CartonException(ErrorKind.InvalidDocument, $"docker config {path}: not valid JSON: {e.Message}", e, jsonPath: e.Path ?? "$");
        }
        return node as JsonObject
            ?? throw new CartonException(ErrorKind.InvalidDocument, $"docker config {path}: not a JSON object", jsonPath: "$");
    }

    /// <summary>
    /// Writes the file as docker does (tab-indented JSON), to a temp file of mode 0600 beside it, fsync'd and renamed
    /// over it: a crash leaves the old file or the new one, never half of one. A symlinked config.json is written
    /// through to its target, as docker does.
    /// </summary>
    private static void Save(string path, JsonObject config)
    {
        // The directory first (docker makes ~/.docker, or $DOCKER_CONFIG, 0700 on a first login): resolving a link
        // under a directory that does not exist throws (scripts/try-registry.sh, a fresh DOCKER_CONFIG).
        var parent = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(parent))
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(parent);
            else Directory.CreateDirectory(parent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        // Through a symlinked config.json to its target. ResolveLinkTarget throws for a path that does not exist, so
        // only a link is resolved: a first login has no config.json yet (it failed with "IO_PathNotFound_Path").
        var info = new FileInfo(Path.GetFullPath(path));
        var target = info.FullName;
        if (info.LinkTarget is { } link)
        {
            try { target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? target; }
            catch (FileNotFoundException) { target = Path.GetFullPath(link, parent); } // a link to a file not made yet
        }
        var dir = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(dir);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
               {
                   Indented = true,
                   IndentCharacter = '\t',
                   IndentSize = 1,
                   // base64's '+' and '/' as they are, not \u002B: the file stays readable, as docker's is.
                   Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
               }))
        {
            config.WriteTo(writer);
        }
        var temp = Path.Combine(dir, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var file = new FileStream(temp, options))
            {
                file.Write(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
