using System.Diagnostics;

namespace Carton.Network.Linux;

/// <summary>
/// One masquerade rule per bridge network (<c>-s SUBNET ! -d SUBNET -j MASQUERADE</c> in nat POSTROUTING, marked
/// with the network's name), instead of the bridge plugin's ipMasq, which makes a chain and rules per container at
/// every ADD and removes them at every DEL: about a dozen iptables runs per attachment that the network-wide rule
/// (podman's netavark does the same) makes unnecessary. The rule is ensured at a network's first attachment after
/// the service starts (rules do not survive a reboot; networks do) and removed with the network.
/// </summary>
internal static class NetworkMasquerade
{
    private static readonly string? Iptables = new[] { "/usr/sbin/iptables", "/sbin/iptables", "/usr/bin/iptables" }.FirstOrDefault(File.Exists);

    private static string[] Rule(string network, string subnet) =>
        ["-t", "nat", "POSTROUTING", "-s", subnet, "!", "-d", subnet, "-m", "comment", "--comment", $"carton network {network}", "-j", "MASQUERADE"];

    public static void Ensure(string network, string subnet)
    {
        if (Iptables is null)
            throw new CartonException(ErrorKind.NotFound, $"network \"{network}\": iptables not found (Debian: apt-get install iptables): needed for the network's masquerade rule");
        var rule = Rule(network, subnet);
        if (Run(With("-C", rule)).Exit == 0) return;
        var (exit, err) = Run(With("-A", rule));
        if (exit != 0) throw new CartonException(ErrorKind.Internal, $"network \"{network}\": add the masquerade rule for {subnet}: iptables: {err.Trim()}");
    }

    public static void Remove(string network, string subnet)
    {
        if (Iptables is null) return;
        var rule = Rule(network, subnet);
        for (int i = 0; i < 16 && Run(With("-D", rule)).Exit == 0; i++) { }
    }

    // the command goes after the table: iptables -t nat -A POSTROUTING ...
    private static string[] With(string command, string[] rule) => [rule[0], rule[1], command, .. rule[2..]];

    private static (int Exit, string Err) Run(string[] args)
    {
        var psi = new ProcessStartInfo(Iptables!) { RedirectStandardError = true, RedirectStandardOutput = true };
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
