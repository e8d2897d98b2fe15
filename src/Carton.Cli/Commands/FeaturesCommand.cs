using System.CommandLine;
using System.Text.Json;
using Carton.Oci;

namespace Carton.Cli;

/// <summary>`carton features`: the runtime-spec features document (features.md).</summary>
public static class FeaturesCommand
{
    public static Command Build()
    {
        var cmd = new Command("features", "show the enabled features");
        cmd.SetAction(parse => GlobalOptions.Execute(parse, _ =>
        {
            var doc = RuntimeFeatures.Create(Version.Text);
            Console.Out.Write(JsonSerializer.Serialize(doc, OciJsonContext.Default.Features));
            Console.Out.WriteLine();
            return 0;
        }));
        return cmd;
    }
}

public static class Version
{
    public const string Text = "0.1.0";
}
