using System.CommandLine;
using Carton.Runtime.Plan;

namespace Carton.Cli;

/// <summary>`carton debug plan --bundle DIR`: prints the setup plan `create` would run for a bundle (issue 14).</summary>
public static class DebugCommand
{
    public static Command Build()
    {
        var bundle = new Option<string>("--bundle", "-b") { Description = "path to the root of the bundle directory", DefaultValueFactory = _ => "." };
        var id = new Option<string>("--id") { Description = "the container id the plan is compiled for", DefaultValueFactory = _ => "debug" };
        var noPivot = new Option<bool>("--no-pivot") { Description = "compile as `create --no-pivot` would" };
        var plan = new Command("plan", "print the setup plan that create would run as the container's init") { bundle, id, noPivot };
        plan.SetAction(parse => GlobalOptions.Execute(parse, _ =>
        {
            var p = PlanPreview.ForBundle(parse.GetValue(bundle)!, parse.GetValue(id)!, parse.GetValue(noPivot));
            Console.Out.Write(p.Render());
            Console.Out.WriteLine($"# {p.Operations.Count} operations, {p.Encode().Length} bytes encoded");
            return 0;
        }));
        return new Command("debug", "inspect what carton would do, without doing it") { plan };
    }
}
