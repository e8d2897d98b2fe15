using System.Diagnostics;

namespace Carton.Network.Linux;

/// <summary>
/// The iptables command, for the few network-wide rules Carton keeps itself (<see cref="NetworkMasquerade"/>,
/// <see cref="NetworkForwarding"/>). A rule is given as its table and chain followed by its match and target, and
/// is added only when <c>-C</c> does not find it, so that ensuring it twice leaves one.
/// </summary>
internal static class Iptables
{
    private static readonly string? Path = new[] { "/usr/sbin/iptables", "/sbin/iptables", "/usr/bin/iptables" }.FirstOrDefault(File.Exists);

    /// <summary>Adds the rule unless it is there: appended, or inserted first in its chain when <paramref name="first"/>
    /// (a rule that must come before whatever DROP rule the host has appended).</summary>
    public static void Ensure(string network, string what, string table, string chain, string[] rule, bool first = false)
    {
        if (Path is null)
            throw new CartonException(ErrorKind.NotFound, $"network \"{network}\": iptables not found (Debian: apt-get install iptables): needed for the network's {what}");
        if (Run(["-t", table, "-C", chain, .. rule]).Exit == 0) return;
        var (exit, err) = Run(first ? ["-t", table, "-I", chain, "1", .. rule] : ["-t", table, "-A", chain, .. rule]);
        if (exit != 0) throw new CartonException(ErrorKind.Internal, $"network \"{network}\": add the {what}: iptables: {err.Trim()}");
    }

    /// <summary>Removes every copy of the rule (a rule ensured by two daemons, or twice across a crash, is there twice).</summary>
    public static void Remove(string table, string chain, string[] rule)
    {
        if (Path is null) return;
        for (int i = 0; i < 16 && Run(["-t", table, "-D", chain, .. rule]).Exit == 0; i++) { }
    }

    private static (int Exit, string Err) Run(string[] args)
    {
        var psi = new ProcessStartInfo(Path!) { RedirectStandardError = true, RedirectStandardOutput = true };
        // -w: wait for the xtables lock rather than fail when a plugin holds it
        psi.ArgumentList.Add("-w");
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        // the readers are ours to close: Process.Dispose leaves a stream that was handed out open (to the finalizer)
        using var stderr = p.StandardError;
        using var stdout = p.StandardOutput;
        var err = stderr.ReadToEndAsync();
        stdout.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, err.Result);
    }
}
