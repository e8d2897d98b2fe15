using System.Diagnostics;
using Carton.Docker.Models;

namespace Carton.Docker;

/// <summary>
/// GET /containers/{id}/top?ps_args=ARGS: as dockerd on Linux (daemon/top_unix.go), `ps ARGS` (default -ef) runs on
/// the host and the rows whose PID is one of the container's processes (its cgroup's, from the compute system) are
/// kept; the last column (the command) keeps its spaces.
/// </summary>
internal static class ContainerTop
{
    public static async Task Handle(DockerServices services, HttpContext ctx)
    {
        var containers = services.Containers;
        var record = containers.Store.Find(ContainerEndpoints.Id(ctx));
        var psArgs = Query.String(ctx, "ps_args") is { Length: > 0 } a ? a : "-ef";
        var props = await containers.PropertiesAsync(record, ctx.RequestAborted);
        if (props.Summary.State is not ("running" or "paused")) throw DockerErrors.NotRunning(record.Id);
        var pids = props.Processes.ToHashSet();
        var output = await RunPsAsync(psArgs.Split(' ', StringSplitOptions.RemoveEmptyEntries), ctx.RequestAborted);
        await DockerJson.WriteAsync(ctx, Parse(output, pids), DockerJsonContext.Wire.ContainerTopResponse);
    }

    /// <summary>dockerd's parsePSOutput: the header's fields are the titles; a row's PID column selects it.</summary>
    public static ContainerTopResponse Parse(string output, IReadOnlySet<int> pids)
    {
        var lines = output.Split('\n');
        var titles = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        int pidIndex = titles.IndexOf("PID");
        if (pidIndex < 0) throw new CartonException(ErrorKind.Internal, "Couldn't find PID field in ps output");
        var top = new ContainerTopResponse { Titles = titles };
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length <= pidIndex || fields.Length < titles.Count) continue;
            if (!int.TryParse(fields[pidIndex], out var pid) || !pids.Contains(pid)) continue;
            top.Processes.Add([.. fields[..(titles.Count - 1)], string.Join(' ', fields[(titles.Count - 1)..])]);
        }
        return top;
    }

    private static async Task<string> RunPsAsync(string[] args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("ps") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        using var ps = Process.Start(psi) ?? throw new CartonException(ErrorKind.Internal, "ps: could not be started");
        var stdout = ps.StandardOutput.ReadToEndAsync(ct);
        var stderr = ps.StandardError.ReadToEndAsync(ct);
        await ps.WaitForExitAsync(ct);
        if (ps.ExitCode != 0) throw new CartonException(ErrorKind.Internal, $"ps: exit status {ps.ExitCode}: {(await stderr).Trim()}");
        return await stdout;
    }
}
