using Carton.Fuzz.Tests.Harness;
using Carton.Images;
using Carton.Images.Model;
using Carton.Images.Registry;
using Xunit.Abstractions;

namespace Carton.Fuzz.Tests.Targets;

/// <summary>
/// Image manifests and indexes as a pull reads them: ManifestDocuments.Classify (the media type, schema 1 refused),
/// then ParseIndex and PlatformMatcher.Select for an index, or ParseManifest for a manifest. Bad input: a
/// <see cref="CartonException"/> of kind InvalidDocument or Unsupported naming the field.
/// </summary>
public sealed class ImageManifestFuzz(ITestOutputHelper output)
{
    private static readonly string[] Domain =
    [
        MediaTypes.OciIndex, MediaTypes.OciManifest, MediaTypes.OciConfig, MediaTypes.OciLayer, MediaTypes.OciLayerGzip,
        MediaTypes.OciLayerZstd, MediaTypes.DockerManifestList, MediaTypes.DockerManifest, MediaTypes.DockerManifestSchema1,
        MediaTypes.DockerConfig, MediaTypes.DockerLayerGzip, "application/vnd.oci.artifact", "sha256:" + new string('a', 64),
        "sha256:" + new string('a', 63), "sha512:" + new string('f', 128), "sha256:" + new string('A', 64), "md5:x", "sha256:",
        "amd64", "arm64", "linux", "windows", "v7", "v8", "unknown",
    ];

    public static FuzzTarget Target { get; } = new(
        "image-manifest",
        JsonShape.Variants(Corpus.Load("image-manifest"), Domain),
        Exercise,
        e => e is CartonException { Kind: ErrorKind.InvalidDocument or ErrorKind.Unsupported });

    private static void Exercise(byte[] input)
    {
        var type = ManifestDocuments.Classify(input, null, "fuzz");
        if (MediaTypes.IsIndex(type))
        {
            var index = ManifestDocuments.ParseIndex(input, "fuzz");
            PlatformMatcher.Select(index.Manifests, new Platform { Os = "linux", Architecture = "amd64" });
        }
        else ManifestDocuments.ParseManifest(input, "fuzz");
    }

    [Fact] public void Fuzz() => FuzzRunner.Check(Target, output);

    [Fact] public void Corpus_passes_the_oracle() => FuzzRunner.ReplayCorpus(Target);
}
