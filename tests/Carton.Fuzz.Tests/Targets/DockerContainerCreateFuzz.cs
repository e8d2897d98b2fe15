using Carton.Docker;
using Carton.Docker.Models;
using Carton.Fuzz.Tests.Harness;
using Carton.Images.Model;
using Carton.Oci;
using Xunit.Abstractions;

namespace Carton.Fuzz.Tests.Targets;

/// <summary>
/// POST /containers/create: the body read as the endpoint reads it, then ContainerDocument.Build (command, env,
/// binds and mounts, port bindings, resources, network mode, capabilities, security options) into the compute
/// document, whose spec then goes through SpecValidator as the compute service's would. Bad input: a
/// <see cref="CartonException"/> of kind InvalidDocument (a 400 naming the field) or Unsupported (501).
/// </summary>
public sealed class DockerContainerCreateFuzz(ITestOutputHelper output)
{
    private static readonly string[] Domain =
    [
        "/tmp:/data", "/tmp:/data:ro", "/tmp:/data:rw,z", "vol:/data", "/a:/b:c:d", ":/x", "/tmp:", "relative:/x", "bind",
        "volume", "tmpfs", "npipe", "rslave", "rprivate", "default", "bridge", "host", "none", "container:abc", "container:",
        "fuzznet", "80/tcp", "53/udp", "80", "80/sctp", "0/tcp", "65536/tcp", "-1/tcp", "tcp", "8080", "127.0.0.1", "::1",
        "NET_ADMIN", "CAP_SYS_ADMIN", "ALL", "BOGUS", "no-new-privileges", "seccomp=unconfined", "apparmor=unconfined",
        "label=disable", "SIGTERM", "SIGKILL", "9", "SIGFOO", "nofile", "nproc", "bogus", "size=64k", "mode=1777", "on-failure",
        "always", "unless-stopped", "1000:1000", "root", "host-gateway", "a:b", "A=1", "=x",
    ];

    private const string Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static readonly ContainerConfig ImageConfig = new() { Cmd = ["/bin/sh"], Env = ["PATH=/bin"] };

    public static FuzzTarget Target { get; } = new(
        "docker-container-create",
        JsonShape.Variants(Corpus.Load("docker-container-create"), Domain),
        Exercise,
        // InvalidState: a conflict dockerd also refuses (published ports with NetworkMode container:ID)
        e => e is CartonException { Kind: ErrorKind.InvalidDocument or ErrorKind.Unsupported or ErrorKind.InvalidState });

    private static void Exercise(byte[] input)
    {
        var body = DockerBody.Read(input, DockerJsonContext.Default.ContainerCreateBody);
        var result = ContainerDocument.Build(body, "docker.io/library/busybox:latest", ImageConfig, Id, "fuzz", "/run/fuzz-json.log", _ => "fuzz-ns");
        if (result.Document.Oci?.Spec is { } spec)
        {
            spec.Root = new Root { Path = "/" };
            SpecValidator.Validate(spec, "/");
        }
    }

    [Fact] public void Fuzz() => FuzzRunner.Check(Target, output);

    [Fact] public void Corpus_passes_the_oracle() => FuzzRunner.ReplayCorpus(Target);
}
