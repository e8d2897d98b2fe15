using Carton.Compute;
using Carton.Compute.Linux;
using Carton.Fuzz.Tests.Harness;
using Carton.Oci;
using Carton.Service;
using Xunit.Abstractions;

namespace Carton.Fuzz.Tests.Targets;

/// <summary>
/// HCS documents as the compute service takes them: a create body (SystemCreateBody) whose document is "hcs",
/// translated by HcsTranslator.Translate (layers, mapped directories, processor, memory, storage QoS, networking,
/// host name, init process) and the translated spec validated as ComputeService.ValidateSpec does. The host is the
/// real one (layer and host paths checked with the real file system, read only). Bad input:
/// <see cref="InvalidComputeDocumentException"/>.
/// </summary>
public sealed class HcsDocumentFuzz(ITestOutputHelper output)
{
    private static readonly string[] Domain =
    [
        "/", "/tmp", "/tmp:x", "/tmp,x", "relative", "/nonexistent", "/proc/self/ns/net", "host", "none", "default", "web",
        "busybox", "1000", "1000:1000", "root", "a:b", "tcp", "udp", "10.0.0.1", "Container", "Storage", "Layers", "Path",
    ];

    public static FuzzTarget Target { get; } = new(
        "hcs-document",
        JsonShape.Variants(Corpus.Load("hcs-document"), Domain),
        Exercise,
        e => e is ComputeException { Kind: ErrorKind.InvalidDocument });

    private static void Exercise(byte[] input)
    {
        var (_, document) = SystemCreateBody.Parse(input);
        if (document.Hcs is not { } hcs) return;
        var t = HcsTranslator.Translate(hcs, new HcsTranslationContext
        {
            Id = "fuzz-hcs", ScratchDirectory = "/run/fuzz-scratch/fuzz-hcs",
            // with Container.Image the service pulls the image first and hands its spec in
            ImageSpec = string.IsNullOrEmpty(hcs.Container?.Image) ? null : DefaultSpec.Create(rootless: false),
        });
        var errors = SpecValidator.Validate(t.Spec, "/run/fuzz-scratch/fuzz-hcs");
        if (errors.Count > 0) throw new InvalidComputeDocumentException("Container", $"the translated OCI spec is invalid: {errors[0]}");
    }

    [Fact] public void Fuzz() => FuzzRunner.Check(Target, output);

    [Fact] public void Corpus_passes_the_oracle() => FuzzRunner.ReplayCorpus(Target);
}
