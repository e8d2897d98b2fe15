using System.Text.Json;
using Carton.Docker.Models;
using Carton.Fuzz.Tests.Harness;
using Xunit.Abstractions;

namespace Carton.Fuzz.Tests.Targets;

/// <summary>
/// POST /containers/{id}/exec and POST /exec/{id}/start: the ExecConfig body read as the endpoint reads it (with
/// its "no command" check) and the ExecStartConfig body read as the hijacked start reads it. Bad input: a
/// <see cref="CartonException"/> of kind InvalidDocument.
/// </summary>
public sealed class DockerExecCreateFuzz(ITestOutputHelper output)
{
    private static readonly string[] Domain = ["sh", "-c", "ctrl-p,ctrl-q", "ctrl-", "1000:1000", "root", "/tmp", "A=1", "B", "=x"];

    public static FuzzTarget Target { get; } = new(
        "docker-exec-create",
        JsonShape.Variants(Corpus.Load("docker-exec-create"), Domain),
        Exercise,
        e => e is CartonException { Kind: ErrorKind.InvalidDocument });

    private static void Exercise(byte[] input)
    {
        Exception? first = null;
        try
        {
            var config = DockerBody.Read(input, DockerJsonContext.Default.ExecConfig);
            if (config.Cmd is not { Count: > 0 }) throw new CartonException(ErrorKind.InvalidDocument, "No exec command specified");
        }
        catch (CartonException e) when (e.Kind == ErrorKind.InvalidDocument) { first = e; }
        // the start body: ExecEndpoints.StartAsync reads it with the same wrapping of JsonException
        try { JsonSerializer.Deserialize(input, DockerJsonContext.Default.ExecStartConfig); }
        catch (JsonException e) { throw new CartonException(ErrorKind.InvalidDocument, e.Message, e); }
        if (first is not null) throw first;
    }

    [Fact] public void Fuzz() => FuzzRunner.Check(Target, output);

    [Fact] public void Corpus_passes_the_oracle() => FuzzRunner.ReplayCorpus(Target);
}
