using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace Carton.Cli;

/// <summary>
/// `carton ps` (runc-ps(8)): the processes of a container. Table format runs the host's ps(1) with the given
/// options (default -ef) and keeps the header and the lines whose PID column is one of the container's pids, as
/// runc does; `-f json` prints the pids as a JSON array.
/// </summary>
public static class PsCommand
{
    public static Command Build()
    {
        var id = new Argument<string>("container-id");
        var psArgs = new Argument<string[]>("ps-options") { Arity = ArgumentArity.ZeroOrMore, Description = "options passed to ps(1) (default -ef)" };
        var format = new Option<string>("--format", "-f") { Description = "select one of: table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var cmd = new Command("ps", "ps displays the processes running inside a container") { id, psArgs, format };
        cmd.TreatUnmatchedTokensAsErrors = false;
        cmd.SetAction(parse => GlobalOptions.Execute(parse, life =>
        {
            var pids = life.Pids(parse.GetValue(id)!);
            if (parse.GetValue(format) == "json")
            {
                Console.Out.WriteLine("[" + string.Join(",", pids.Select(p => p.ToString(CultureInfo.InvariantCulture))) + "]");
                return 0;
            }
            var options = (parse.GetValue(psArgs) ?? []).Concat(parse.UnmatchedTokens).ToList();
            if (options.Count == 0) options = ["-ef"];
            var psi = new ProcessStartInfo("ps") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var o in options) psi.ArgumentList.Add(o);
            using var ps = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException("ps: could not start ps(1)");
            var lines = ps.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            ps.WaitForExit();
            if (ps.ExitCode != 0) throw new InvalidOperationException($"ps {string.Join(' ', options)} exited with status {ps.ExitCode}");
            if (lines.Length == 0) return 0;
            int pidCol = Array.IndexOf(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), "PID");
            if (pidCol < 0) throw new InvalidOperationException("ps: couldn't find PID field in ps output");
            var set = pids.ToHashSet();
            Console.Out.WriteLine(lines[0]);
            foreach (var line in lines.Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > pidCol && int.TryParse(fields[pidCol], CultureInfo.InvariantCulture, out int pid) && set.Contains(pid))
                    Console.Out.WriteLine(line);
            }
            return 0;
        }));
        return cmd;
    }
}
