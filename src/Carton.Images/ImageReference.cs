using System.Text.RegularExpressions;

namespace Carton.Images;

/// <summary>
/// An image reference, normalised the way Docker does it: <c>busybox</c> is <c>docker.io/library/busybox:latest</c>.
/// The grammar is distribution-spec's (spec.md, "Pulling manifests": the repository name and tag regexes) with
/// Docker's reference rules on top (distribution/reference: a first path component with a '.' or ':', or equal to
/// <c>localhost</c>, names a registry; otherwise the registry is docker.io and a one-component name lives under
/// <c>library/</c>).
/// </summary>
public sealed partial class ImageReference : IEquatable<ImageReference>
{
    /// <summary>The registry Docker assumes when a reference names none.</summary>
    public const string DockerHub = "docker.io";

    /// <summary>The host that serves Docker Hub's registry API (docker.io itself is the website).</summary>
    public const string DockerHubApiHost = "registry-1.docker.io";

    /// <summary>The tag a reference without tag or digest gets.</summary>
    public const string DefaultTag = "latest";

    // Docker's limit on the whole name (registry/repository), distribution/reference's NameTotalLengthMax.
    private const int MaxNameLength = 255;

    private ImageReference(string registry, string repository, string? tag, Digest? digest)
    {
        Registry = registry;
        Repository = repository;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>The registry as named: host or host:port (<c>docker.io</c>, <c>localhost:5000</c>, <c>[::1]:5000</c>).</summary>
    public string Registry { get; }

    /// <summary>The repository within the registry (<c>library/busybox</c>).</summary>
    public string Repository { get; }

    /// <summary>The tag, or null for a reference by digest alone.</summary>
    public string? Tag { get; }

    /// <summary>The manifest digest, or null for a reference by tag.</summary>
    public Digest? Digest { get; }

    /// <summary>The host[:port] requests go to: <see cref="DockerHubApiHost"/> for docker.io, <see cref="Registry"/> otherwise.</summary>
    public string ApiHost => ApiHostOf(Registry);

    /// <summary>registry/repository, without tag or digest.</summary>
    public string Name => $"{Registry}/{Repository}";

    /// <summary>What a request for the manifest names: the digest when there is one (it pins the content), else the tag.</summary>
    public string ManifestReference => Digest?.ToString() ?? Tag!;

    /// <summary>The host requests for <paramref name="registry"/> go to.</summary>
    public static string ApiHostOf(string registry) => registry == DockerHub ? DockerHubApiHost : registry;

    /// <summary>This reference with another tag and no digest.</summary>
    public ImageReference WithTag(string tag)
    {
        if (!TagGrammar().IsMatch(tag))
            throw Invalid(tag, $"tag \"{tag}\" is invalid: it must match [a-zA-Z0-9_][a-zA-Z0-9._-]{{0,127}}");
        return new(Registry, Repository, tag, null);
    }

    /// <summary>This reference pinned to <paramref name="digest"/>, keeping its tag.</summary>
    public ImageReference WithDigest(Digest digest) => new(Registry, Repository, Tag, digest);

    /// <summary>The canonical form: registry/repository[:tag][@digest].</summary>
    public override string ToString()
    {
        var s = Name;
        if (Tag is not null) s += ":" + Tag;
        if (Digest is { } d) s += "@" + d;
        return s;
    }

    /// <summary>Docker's short form for display: <c>busybox:latest</c> for <c>docker.io/library/busybox:latest</c>.</summary>
    public string ToFamiliarString()
    {
        var name = Registry == DockerHub
            ? Repository.StartsWith("library/", StringComparison.Ordinal) && Repository.IndexOf('/', 8) < 0 ? Repository[8..] : Repository
            : Name;
        if (Tag is not null) name += ":" + Tag;
        if (Digest is { } d) name += "@" + d;
        return name;
    }

    public bool Equals(ImageReference? other) => other is not null && ToString() == other.ToString();
    public override bool Equals(object? obj) => Equals(obj as ImageReference);
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());

    /// <summary>True and the reference when <paramref name="text"/> parses; false otherwise.</summary>
    public static bool TryParse(string? text, out ImageReference reference)
    {
        reference = null!;
        if (text is null) return false;
        try
        {
            reference = Parse(text);
            return true;
        }
        catch (CartonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Parses and normalises <paramref name="text"/>. Throws <see cref="ErrorKind.InvalidDocument"/> quoting the
    /// reference and saying what is wrong with it.
    /// </summary>
    public static ImageReference Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) throw Invalid(text, "it is empty");
        if (text.Any(char.IsWhiteSpace)) throw Invalid(text, "it contains whitespace");

        // name [":" tag] ["@" digest]: the digest is everything after the first '@'.
        string rest = text;
        Digest? digest = null;
        int at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            var digestText = rest[(at + 1)..];
            if (!Images.Digest.TryParse(digestText, out var d))
                throw Invalid(text, $"digest \"{digestText}\" is invalid: it must be sha256:<64 lowercase hex> or sha512:<128 lowercase hex>");
            digest = d;
            rest = rest[..at];
        }

        // The tag follows the last ':' that comes after the last '/' (a ':' before it is a registry port).
        string? tag = null;
        int slash = rest.LastIndexOf('/');
        int colon = rest.LastIndexOf(':');
        if (colon > slash)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (!TagGrammar().IsMatch(tag))
                throw Invalid(text, $"tag \"{tag}\" is invalid: it must match [a-zA-Z0-9_][a-zA-Z0-9._-]{{0,127}}");
        }
        if (rest.Length == 0) throw Invalid(text, "the repository name is empty");

        // Docker's split: the first component is a registry when it has a '.' or ':', is "localhost", or has an
        // uppercase letter (a repository cannot, so Docker reads it as a host).
        string registry, repository;
        int first = rest.IndexOf('/', StringComparison.Ordinal);
        var head = first < 0 ? "" : rest[..first];
        if (first >= 0 && (head.Contains('.') || head.Contains(':') || head == "localhost" || head.Any(char.IsAsciiLetterUpper)
            || head.StartsWith('[')))
        {
            registry = head;
            repository = rest[(first + 1)..];
            if (!IsValidRegistry(registry))
                throw Invalid(text, $"registry \"{registry}\" is invalid: it must be a host name, an IPv4 address or a [bracketed] IPv6 address, with an optional :port");
        }
        else
        {
            registry = DockerHub;
            repository = rest;
        }
        // Docker's legacy spellings of Docker Hub.
        if (registry is "index.docker.io" or "registry-1.docker.io") registry = DockerHub;
        if (registry == DockerHub && !repository.Contains('/')) repository = "library/" + repository;

        if (repository.Length == 0) throw Invalid(text, "the repository name is empty");
        if (repository.Any(char.IsAsciiLetterUpper))
            throw Invalid(text, $"repository name \"{repository}\" must be lowercase");
        if (!RepositoryGrammar().IsMatch(repository))
            throw Invalid(text, $"repository name \"{repository}\" is invalid: each /-separated component must be lowercase letters and digits, joined by '.', '_', '__' or dashes, and neither start nor end with a separator");
        if (registry.Length + 1 + repository.Length > MaxNameLength)
            throw Invalid(text, $"the name is longer than {MaxNameLength} characters");
        // Docker refuses a name that is a 64-hex image id: it would be taken for one.
        if (registry == DockerHub && repository.StartsWith("library/", StringComparison.Ordinal) && HexId().IsMatch(repository[8..]))
            throw Invalid(text, "a name cannot be a 64-character hexadecimal string (it reads as an image id)");

        if (tag is null && digest is null) tag = DefaultTag;
        return new ImageReference(registry, repository, tag, digest);
    }

    private static bool IsValidRegistry(string registry)
    {
        string host = registry;
        string? port = null;
        if (registry.StartsWith('['))
        {
            int close = registry.IndexOf(']', StringComparison.Ordinal);
            if (close < 0) return false;
            host = registry[..(close + 1)];
            var after = registry[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':') return false;
                port = after[1..];
            }
            if (!System.Net.IPAddress.TryParse(host[1..^1], out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
                return false;
        }
        else
        {
            int c = registry.IndexOf(':', StringComparison.Ordinal);
            if (c >= 0)
            {
                host = registry[..c];
                port = registry[(c + 1)..];
            }
            if (!HostGrammar().IsMatch(host)) return false;
        }
        return port is null || (port.Length is > 0 and <= 5 && port.All(char.IsAsciiDigit) && int.Parse(port, System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 65535);
    }

    private static CartonException Invalid(string text, string why) =>
        new(ErrorKind.InvalidDocument, $"invalid image reference \"{text}\": {why}", jsonPath: "reference", reason: why);

    // distribution-spec, "Pulling manifests": <name> is [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*
    [GeneratedRegex(@"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryGrammar();

    // distribution-spec: <reference> as a tag is [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}
    [GeneratedRegex(@"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$")]
    private static partial Regex TagGrammar();

    // distribution/reference's domain: components of letters, digits and inner dashes, joined by dots.
    [GeneratedRegex(@"^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*$")]
    private static partial Regex HostGrammar();

    [GeneratedRegex("^[a-f0-9]{64}$")]
    private static partial Regex HexId();
}
