using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Carton.Images.Tests.Infrastructure;

/// <summary>A test CA and the certificates it signs, made with the BCL (no openssl): the registry's server certificate
/// (for 127.0.0.1 and localhost) and the token service's signing certificate.</summary>
public sealed class TestCertificates : IDisposable
{
    public TestCertificates(string directory)
    {
        Directory.CreateDirectory(directory);
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Carton Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        Ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        CaPem = Path.Combine(directory, "ca.crt");
        File.WriteAllText(CaPem, Ca.ExportCertificatePem());

        (ServerCertPem, ServerKeyPem, _) = Issue(directory, "server", "CN=127.0.0.1", server: true);
        (SignerCertPem, _, Signer) = Issue(directory, "token-signer", "CN=Carton Test Token Signer", server: false);
    }

    public X509Certificate2 Ca { get; }
    public string CaPem { get; }
    public string ServerCertPem { get; }
    public string ServerKeyPem { get; }
    public string SignerCertPem { get; }

    /// <summary>The token signer's certificate with its private key.</summary>
    public X509Certificate2 Signer { get; }

    private (string Cert, string Key, X509Certificate2 WithKey) Issue(string directory, string name, string subject, bool server)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        if (server)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            san.AddDnsName("localhost");
            request.CertificateExtensions.Add(san.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        using var cert = request.Create(Ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddMonths(6), serial);
        var certPem = Path.Combine(directory, name + ".crt");
        var keyPem = Path.Combine(directory, name + ".key");
        File.WriteAllText(certPem, cert.ExportCertificatePem());
        File.WriteAllText(keyPem, key.ExportPkcs8PrivateKeyPem());
        return (certPem, keyPem, cert.CopyWithPrivateKey(key));
    }

    public void Dispose()
    {
        Ca.Dispose();
        Signer.Dispose();
    }
}
