using Carton.Images.Model;

namespace Carton.Images.Registry;

/// <summary>How Carton talks to registries: trust, credentials, retries, concurrency, platform.</summary>
public sealed class RegistryOptions
{
    /// <summary>Where per-registry CA files live: <c>&lt;dir&gt;/HOST[:PORT]/ca.crt</c> (Docker's certs.d shape).</summary>
    public const string DefaultCertsDirectory = "/etc/carton/certs.d";

    /// <summary>Per-registry trust anchors, added to the system's CAs: <c>&lt;CertsDirectory&gt;/HOST[:PORT]/ca.crt</c>.</summary>
    public string CertsDirectory { get; set; } = DefaultCertsDirectory;

    /// <summary>
    /// Plain HTTP is allowed and TLS certificates are not verified (Docker's insecure-registries). Without it, plain
    /// HTTP is still allowed for localhost and 127.0.0.0/8 (as Docker allows), but TLS, when spoken, is verified.
    /// </summary>
    public bool Insecure { get; set; }

    /// <summary>Explicit credentials (--creds USER:PASS); when null, <see cref="DockerConfigPath"/> is consulted.</summary>
    public RegistryCredentials? Credentials { get; set; }

    /// <summary>Docker's config.json to read credentials from; null means <see cref="DockerConfig.DefaultPath"/>.</summary>
    public string? DockerConfigPath { get; set; }

    /// <summary>Read no config.json at all (tests, or a caller that passes credentials only explicitly).</summary>
    public bool IgnoreDockerConfig { get; set; }

    /// <summary>How many blobs of one pull download at once.</summary>
    public int MaxConcurrentDownloads { get; set; } = 3;

    /// <summary>How many blobs of one push upload at once (docker's default too).</summary>
    public int MaxConcurrentUploads { get; set; } = 5;

    /// <summary>
    /// Blobs up to this size are pushed monolithically (POST, then one PUT); larger ones in chunks of this size (PATCH
    /// with Content-Range, then PUT), so that a dropped connection costs at most one chunk: the upload resumes from what
    /// the registry has. A registry's OCI-Chunk-Min-Length raises it (distribution-spec spec.md, "Pushing a blob in chunks").
    /// </summary>
    public long ChunkSize { get; set; } = DefaultChunkSize;

    /// <summary>8 MiB: containerd's and skopeo's order of magnitude; above any registry's usual minimum (S3's 5 MiB parts).</summary>
    public const long DefaultChunkSize = 8 << 20;

    /// <summary>Retries after the first attempt, on 429, 5xx and dropped connections.</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>The first retry's delay; later ones double (with jitter) up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between two attempts, including a 429's Retry-After.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a TCP + TLS connection may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A request whose response (headers, or the next bytes of a body) does not come in this time is dropped
    /// and retried, so a stalled connection cannot hang a pull.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The platform picked from an index; null means <see cref="Platform.Host"/>.</summary>
    public Platform? Platform { get; set; }

    /// <summary>The User-Agent header.</summary>
    public string UserAgent { get; set; } = "carton";

    /// <summary>The credentials for <paramref name="registry"/>: explicit ones, else Docker's config.json, else none.</summary>
    public RegistryCredentials? CredentialsFor(string registry) =>
        Credentials ?? (IgnoreDockerConfig ? null : DockerConfig.Find(registry, DockerConfigPath));
}
