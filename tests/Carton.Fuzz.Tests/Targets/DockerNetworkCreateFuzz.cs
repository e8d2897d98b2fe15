using Carton.Docker.Models;
using Carton.Fuzz.Tests.Harness;
using Carton.Network;
using Carton.Network.Linux;
using Xunit.Abstractions;

namespace Carton.Fuzz.Tests.Targets;

/// <summary>
/// POST /networks/create, /networks/{id}/connect and /disconnect: each body read as its endpoint reads it, and the
/// create body's IPAM pool and the connect body's address parsed as the network service parses them
/// (Ipv4Subnet). Bad input: a <see cref="CartonException"/> of kind InvalidDocument.
/// </summary>
public sealed class DockerNetworkCreateFuzz(ITestOutputHelper output)
{
    private static readonly string[] Domain =
    [
        "bridge", "overlay", "host", "none", "default", "10.99.0.0/24", "10.99.0.1", "10.99.0.0/33", "10.99.0.0/-1", "256.0.0.0/8",
        "10.99.0.0", "/24", "fd00::/64", "10.99.0.9", "0.0.0.0/0", "1.2.3.4/32", "01.02.03.04/8", "10.99.0.0/24/1",
    ];

    public static FuzzTarget Target { get; } = new(
        "docker-network-create",
        JsonShape.Variants(Corpus.Load("docker-network-create"), Domain),
        Exercise,
        e => e is CartonException { Kind: ErrorKind.InvalidDocument });

    private static void Exercise(byte[] input)
    {
        Exception? first = null;
        try
        {
            var create = DockerBody.Read(input, DockerJsonContext.Default.NetworkCreateRequest);
            foreach (var pool in create.IPAM?.Config ?? [])
            {
                if (pool.Subnet is { Length: > 0 } s) Ipv4Subnet.TryParse(s, out _, out _);
                if (pool.Gateway is { Length: > 0 } g) Ipv4Subnet.TryParseAddress(g, out _);
            }
        }
        catch (CartonException e) when (e.Kind == ErrorKind.InvalidDocument) { first = e; }
        try
        {
            var connect = DockerBody.Read(input, DockerJsonContext.Default.NetworkConnectRequest);
            if (connect.EndpointConfig?.IPAMConfig?.IPv4Address is { Length: > 0 } ip) Ipv4Subnet.TryParseAddress(ip, out _);
        }
        catch (CartonException e) when (e.Kind == ErrorKind.InvalidDocument) { first ??= e; }
        DockerBody.Read(input, DockerJsonContext.Default.NetworkDisconnectRequest);
        if (first is not null) throw first;
    }

    [Fact] public void Fuzz() => FuzzRunner.Check(Target, output);

    [Fact] public void Corpus_passes_the_oracle() => FuzzRunner.ReplayCorpus(Target);
}
