using System.CommandLine;
using System.Text.Json;
using Carton.Linux.Processes;
using Carton.Oci;

namespace Carton.Cli;

/// <summary>`carton spec`: writes runc's default config.json (runc-spec(8)).</summary>
public static class SpecCommand
{
    public static Command Build()
    {
        var bundle = new Option<string>("--bundle", "-b") { Description = "path to the root of the bundle directory", DefaultValueFactory = _ => "." };
        var rootless = new Option<bool>("--rootless") { Description = "generate a configuration for a rootless container" };
        var cmd = new Command("spec", "create a new specification file") { bundle, rootless };
        cmd.SetAction(parse => GlobalOptions.Execute(parse, _ =>
        {
            var path = Path.Combine(parse.GetValue(bundle) ?? ".", "config.json");
            if (File.Exists(path)) throw new InvalidOperationException("File config.json exists. Remove it first.");
            var spec = parse.GetValue(rootless)
                ? DefaultSpec.Create(true, CurrentProcess.EffectiveUserId, CurrentProcess.EffectiveGroupId)
                : DefaultSpec.Create(false);
            File.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(spec, OciJsonContext.Default.Spec));
            return 0;
        }));
        return cmd;
    }
}
