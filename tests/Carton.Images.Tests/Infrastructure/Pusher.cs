using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;

namespace Carton.Images.Tests.Infrastructure;

/// <summary>
/// The tests' own push (the product's push is a later issue): distribution-spec "Pushing blobs" monolithically
/// (POST an upload, PUT it with ?digest=) and "Pushing manifests" (PUT with the manifest's Content-Type), children
/// before the index that names them.
/// </summary>
public sealed class Pusher : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly Func<string, AuthenticationHeaderValue?> _auth;

    /// <param name="baseUri">the registry.</param>
    /// <param name="ca">the CA that signed its certificate, if TLS.</param>
    /// <param name="auth">the Authorization header for a repository (basic, or a push token).</param>
    public Pusher(Uri baseUri, X509Certificate2? ca, Func<string, AuthenticationHeaderValue?> auth)
    {
        var handler = new SocketsHttpHandler();
        if (ca is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, errors) =>
            {
                if (cert is null) return false;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                using var leaf = new X509Certificate2(cert);
                return chain.Build(leaf) && (errors & System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
            };
        }
        _http = new HttpClient(handler);
        _base = baseUri;
        _auth = auth;
    }

    public async Task PushAsync(TestImage image)
    {
        foreach (var blob in image.Blobs) await PushBlobAsync(image.Repository, blob.Content);
        foreach (var manifest in image.Manifests)
            await PutManifestAsync(image.Repository, image.Index is null ? image.Tag : manifest.Digest.ToString(), manifest.Content, manifest.MediaType);
        if (image.Index is not null) await PutManifestAsync(image.Repository, image.Tag, image.Index, image.IndexMediaType!);
    }

    public async Task PushBlobAsync(string repository, byte[] content)
    {
        var digest = Digest.Sha256(content);
        using var post = new HttpRequestMessage(HttpMethod.Post, new Uri(_base, $"/v2/{repository}/blobs/uploads/"));
        post.Headers.Authorization = _auth(repository);
        using var started = await _http.SendAsync(post);
        if (started.StatusCode != HttpStatusCode.Accepted)
            throw new InvalidOperationException($"POST upload {repository}: {(int)started.StatusCode} {await started.Content.ReadAsStringAsync()}");
        var location = started.Headers.Location!;
        if (!location.IsAbsoluteUri) location = new Uri(_base, location);
        var sep = location.Query.Length > 0 ? "&" : "?";
        using var put = new HttpRequestMessage(HttpMethod.Put, new Uri(location + $"{sep}digest={Uri.EscapeDataString(digest.ToString())}"));
        put.Headers.Authorization = _auth(repository);
        put.Content = new ByteArrayContent(content);
        put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var done = await _http.SendAsync(put);
        if (done.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"PUT blob {digest}: {(int)done.StatusCode} {await done.Content.ReadAsStringAsync()}");
    }

    public async Task PutManifestAsync(string repository, string reference, byte[] content, string mediaType)
    {
        using var put = new HttpRequestMessage(HttpMethod.Put, new Uri(_base, $"/v2/{repository}/manifests/{reference}"));
        put.Headers.Authorization = _auth(repository);
        put.Content = new ByteArrayContent(content);
        put.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var done = await _http.SendAsync(put);
        if (done.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"PUT manifest {repository}:{reference}: {(int)done.StatusCode} {await done.Content.ReadAsStringAsync()}");
    }

    public void Dispose() => _http.Dispose();
}
