using Carton.Oci;
using Carton.Windows.Hcs.Schema;

namespace Carton.Compute.Windows.Translation;

/// <summary>windows.network to Container.Networking (hcsshim createWindowsContainerDocument): the namespace, whether
/// unqualified names resolve, the DNS suffixes as one comma-separated string, and the shared container's network stack.</summary>
internal static class NetworkTranslation
{
    public static Networking? ToNetworking(WindowsNetwork? network, string? endpointNamespace)
    {
        if (network is null)
            return null;
        bool hasEndpoints = network.EndpointList is { Count: > 0 };
        string? ns = network.NetworkNamespace;
        if (!string.IsNullOrEmpty(ns))
        {
            // config-windows.md: with a namespace no other parameter is to be given; endpoints would be ambiguous (the
            // namespace already holds its endpoints), DNS settings are passed on as hcsshim does.
            if (hasEndpoints)
                throw TranslationErrors.Invalid("windows.network.endpointList", "cannot be given with networkNamespace: the namespace holds its endpoints");
            if (!Guid.TryParse(ns, out _))
                throw TranslationErrors.Invalid("windows.network.networkNamespace", $"\"{ns}\" is not a GUID (an HCN namespace id)");
        }
        else if (hasEndpoints)
        {
            // HCS v2 attaches endpoints through an HCN namespace (hcsshim creates one and adds them), not the document.
            for (int i = 0; i < network.EndpointList!.Count; i++)
            {
                if (!Guid.TryParse(network.EndpointList[i], out _))
                    throw TranslationErrors.Invalid($"windows.network.endpointList[{i}]", $"\"{network.EndpointList[i]}\" is not a GUID (an HNS endpoint id)");
            }
            if (string.IsNullOrEmpty(endpointNamespace))
                throw TranslationErrors.Invalid("windows.network.endpointList", "the endpoints need an HCN namespace holding them, and none was created for this container");
            ns = endpointNamespace;
        }

        string? dnsSearch = null;
        if (network.DnsSearchList is { Count: > 0 } suffixes)
        {
            for (int i = 0; i < suffixes.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(suffixes[i]) || suffixes[i].Contains(','))
                    throw TranslationErrors.Invalid($"windows.network.DNSSearchList[{i}]", $"\"{suffixes[i]}\" is not a DNS suffix (HCS joins them with commas)");
            }
            dnsSearch = string.Join(',', suffixes);
        }
        return new Networking
        {
            Namespace = string.IsNullOrEmpty(ns) ? null : ns,
            AllowUnqualifiedDnsQuery = network.AllowUnqualifiedDnsQuery == true ? true : null,
            DnsSearchList = dnsSearch,
            NetworkSharedContainerName = string.IsNullOrEmpty(network.NetworkSharedContainerName) ? null : network.NetworkSharedContainerName,
        };
    }
}
