using Carton.Fuzz.Tests.Harness;
using Carton.Images;
using Carton.Images.Spec;
using Carton.Oci;
using Xunit.Abstractions;

namespace Carton.Fuzz.Tests.Targets;

/// <summary>
/// Image configs as a run reads them: ManifestDocuments.ParseConfig, then ImageSpec.Build (command, env, user through
/// the image's /etc/passwd and /etc/group, working directory, annotations) and SpecValidator on the result, as the
/// compute service does before it creates anything. Bad input: a <see cref="CartonException"/> of kind
/// InvalidDocument or Unsupported.
/// </summary>
public sealed class ImageConfigFuzz(ITestOutputHelper output)
{
    private static readonly string[] Domain =
    [
        "root", "app", "nobody", "staff", "0", "1000", "4294967295", "4294967296", "app:staff", "1000:staff", "app:1000",
        ":", "app:", ":staff", "a:b:c", "80/tcp", "53/udp", "80", "x/sctp", "SIGQUIT", "SIGRTMIN+3", "9", "PATH=/bin", "A=",
        "=A", "layers", "sha256:" + new string('d', 64), "amd64", "linux",
    ];

    private const string Passwd = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nnobody:x:65534:65534::/:/sbin/nologin\nbad::x:y\n";
    private const string Group = "root:x:0:\nstaff:x:50:app,root\napp:x:1000:\nbad:x:notanumber:\n";

    public static FuzzTarget Target { get; } = new(
        "image-config",
        JsonShape.Variants(Corpus.Load("image-config"), Domain),
        Exercise,
        e => e is CartonException { Kind: ErrorKind.InvalidDocument or ErrorKind.Unsupported });

    private static void Exercise(byte[] input)
    {
        var config = ManifestDocuments.ParseConfig(input, "fuzz");
        var (spec, _) = ImageSpec.Build(config, new ImageSpecOptions
        {
            ReadRootfsFile = path => path switch { "/etc/passwd" => Passwd, "/etc/group" => Group, _ => null },
        });
        spec.Root = new Root { Path = "/" };
        SpecValidator.Validate(spec, "/");
    }

    [Fact] public void Fuzz() => FuzzRunner.Check(Target, output);

    [Fact] public void Corpus_passes_the_oracle() => FuzzRunner.ReplayCorpus(Target);
}
