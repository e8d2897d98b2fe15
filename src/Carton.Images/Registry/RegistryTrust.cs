using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Carton.Images.Registry;

/// <summary>
/// TLS trust for one registry: the system's CAs, plus the CA file Docker's certs.d layout puts at
/// <c>&lt;certsDir&gt;/HOST[:PORT]/ca.crt</c>. A certificate for another name is refused whatever signed it.
/// </summary>
internal sealed class RegistryTrust
{
    private readonly X509Certificate2Collection _extraRoots = [];
    private readonly bool _skipVerification;

    public RegistryTrust(string registry, string certsDirectory, bool skipVerification)
    {
        _skipVerification = skipVerification;
        CaFile = Path.Combine(certsDirectory, registry, "ca.crt");
        if (File.Exists(CaFile))
        {
            try
            {
                _extraRoots.ImportFromPemFile(CaFile);
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                throw new CartonException(ErrorKind.InvalidDocument, $"registry {registry}: CA file {CaFile} is not PEM certificates: {e.Message}", e);
            }
        }
    }

    /// <summary>Where this registry's extra CA is looked for.</summary>
    public string CaFile { get; }

    /// <summary>Why the last certificate was refused, for the error message; null when none was.</summary>
    public string? LastRejection { get; private set; }

    public bool Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (_skipVerification) return true;
        if (errors == SslPolicyErrors.None) return true;
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            LastRejection = "the server sent no certificate";
            return false;
        }
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            LastRejection = $"its certificate ({certificate.Subject}) is not for this host name";
            return false;
        }
        if (_extraRoots.Count == 0)
        {
            LastRejection = $"its certificate ({certificate.Subject}, issued by {certificate.Issuer}) is not signed by a trusted CA; put the CA at {CaFile}";
            return false;
        }
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_extraRoots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
            foreach (var element in chain.ChainElements)
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
        using var leaf = new X509Certificate2(certificate);
        if (custom.Build(leaf)) return true;
        LastRejection = $"its certificate ({certificate.Subject}, issued by {certificate.Issuer}) is signed neither by a system CA nor by {CaFile}: "
            + string.Join(", ", custom.ChainStatus.Select(s => s.StatusInformation.Trim()));
        return false;
    }
}
