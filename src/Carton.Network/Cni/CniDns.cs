namespace Carton.Network.Cni;

/// <summary>The DNS settings of a CNI result (<c>dns</c>).</summary>
public sealed class CniDns
{
    internal CniDns(IReadOnlyList<string> nameservers, string? domain, IReadOnlyList<string> search, IReadOnlyList<string> options)
    {
        Nameservers = nameservers; Domain = domain; Search = search; Options = options;
    }

    /// <summary>Name server addresses, in order of priority.</summary>
    public IReadOnlyList<string> Nameservers { get; }
    /// <summary>The local domain for short names.</summary>
    public string? Domain { get; }
    /// <summary>Search domains, in order.</summary>
    public IReadOnlyList<string> Search { get; }
    /// <summary>Resolver options ("ndots:2").</summary>
    public IReadOnlyList<string> Options { get; }
}
