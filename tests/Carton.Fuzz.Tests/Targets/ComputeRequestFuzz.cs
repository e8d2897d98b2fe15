using System.Text.Json;
using Carton.Compute;
using Carton.Compute.Linux;
using Carton.Fuzz.Tests.Harness;
using Carton.Oci;
using Carton.Service;
using Xunit.Abstractions;

namespace Carton.Fuzz.Tests.Targets;

/// <summary>
/// The compute daemon's request bodies, each input read as all three: POST /v1/systems (SystemCreateBody, then the
/// OCI spec through SpecValidator as the service validates it), POST /v1/systems/{id}/resources (ResourcesBody, then
/// HcsTranslator.TranslateResources) and POST /v1/systems/{id}/processes (ProcessParameters read as the handler
/// reads them, then HcsTranslator.ApplyProcess). Bad input: <see cref="InvalidComputeDocumentException"/> (or a
/// compute error of kind InvalidDocument).
/// </summary>
public sealed class ComputeRequestFuzz(ITestOutputHelper output)
{
    private static readonly string[] Domain =
    [
        "fuzz-c-1", "", "a/b", "..", "busybox", "docker.io/library/busybox:latest", "/tmp", "rootfs", "default", "web", "tcp", "udp",
        "sctp", "127.0.0.1", "10.88.0.5", "aa:bb:cc:dd:ee:ff", "db:10.0.0.2", "ndots:2", "1000", "1000:1000", "nobody", "root:0",
        "memory.high", "max", "0-1", "TERM", "A=B", "=",
    ];

    private static readonly HcsTranslationContext Context = new()
    {
        Id = "fuzz-c", ScratchDirectory = "/run/fuzz-scratch/fuzz-c", HostCpus = 2, BlockDeviceOf = _ => (8, 0),
    };

    public static FuzzTarget Target { get; } = new(
        "compute-request",
        JsonShape.Variants(Corpus.Load("compute-request"), Domain),
        Exercise,
        IsTypedError);

    internal static bool IsTypedError(Exception e) => e is ComputeException { Kind: ErrorKind.InvalidDocument };

    private static void Exercise(byte[] input)
    {
        var errors = new List<Exception>();
        try
        {
            var (_, document) = SystemCreateBody.Parse(input);
            if (document.Oci?.Spec is { } spec) SpecValidator.Validate(spec, "/tmp");
        }
        catch (Exception e) when (IsTypedError(e)) { errors.Add(e); }
        try
        {
            var resources = ResourcesBody.Parse(input);
            HcsTranslator.TranslateResources(resources, Context, []);
        }
        catch (Exception e) when (IsTypedError(e)) { errors.Add(e); }
        try
        {
            ProcessParameters p;
            try { p = JsonSerializer.Deserialize(input, ComputeJsonContext.Default.ProcessParameters) ?? throw new InvalidComputeDocumentException("$", "a JSON object is required"); }
            catch (JsonException e) { throw new InvalidComputeDocumentException(e.Path ?? "$", e.Message); }
            HcsTranslator.ApplyProcess(DefaultSpec.Create(rootless: false).Process!, p, "$");
        }
        catch (Exception e) when (IsTypedError(e)) { errors.Add(e); }
        if (errors.Count == 3) throw errors[0];
    }

    [Fact] public void Fuzz() => FuzzRunner.Check(Target, output);

    [Fact] public void Corpus_passes_the_oracle() => FuzzRunner.ReplayCorpus(Target);
}
