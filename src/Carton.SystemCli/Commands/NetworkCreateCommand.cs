namespace Carton.SystemCli;

public static class NetworkCreateCommand
{
    public static Command Build()
    {
        var name = new Argument<string>("name") { Description = "the network's name" };
        var subnet = new Option<string?>("--subnet") { Description = "an IPv4 subnet in CIDR form (default: a free /24)" };
        var gateway = new Option<string?>("--gateway") { Description = "the bridge's address in the subnet (default: its first address)" };
        var isInternal = new Option<bool>("--internal") { Description = "no route out: no default route, no masquerade, no published ports" };
        var label = new Option<string[]>("--label") { Description = "a label KEY=VALUE (repeatable)", AllowMultipleArgumentsPerToken = false };
        var conflist = new Option<string?>("--conflist") { Description = "a CNI configuration list file to use as is instead of carton's bridge (its name must be NAME)" };
        var cmd = new Command("create", "create a network; prints its id") { name, subnet, gateway, isInternal, label, conflist };
        cmd.SetAction(parse => NetworkCommand.Run(parse, async client =>
        {
            var options = Options(parse.GetValue(name)!, parse.GetValue(subnet), parse.GetValue(gateway), parse.GetValue(isInternal),
                parse.GetValue(label) ?? [], parse.GetValue(conflist));
            var network = await client.CreateNetworkAsync(options);
            Console.Out.WriteLine(network.Id);
            return 0;
        }));
        return cmd;
    }

    /// <summary>The create options the flags say; <paramref name="conflistFile"/> is read here (the daemon gets its text).</summary>
    public static NetworkCreateOptions Options(string name, string? subnet, string? gateway, bool isInternal,
        IReadOnlyList<string> labels, string? conflistFile)
    {
        var options = new NetworkCreateOptions { Name = name, Subnet = subnet, Gateway = gateway, Internal = isInternal };
        if (conflistFile is not null)
        {
            if (subnet is not null || gateway is not null || isInternal)
                throw Usage("--conflist goes alone: the CNI configuration decides the subnet, the gateway and the routes (no --subnet, --gateway, --internal)");
            options.ConfList = File.ReadAllText(conflistFile);
        }
        if (labels.Count > 0)
        {
            options.Labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var l in labels)
            {
                int eq = l.IndexOf('=');
                var key = eq < 0 ? l : l[..eq];
                if (key.Length == 0) throw Usage($"--label \"{l}\": expected KEY=VALUE");
                options.Labels[key] = eq < 0 ? "" : l[(eq + 1)..];
            }
        }
        return options;
    }

    private static CartonException Usage(string message) => new(ErrorKind.InvalidDocument, message);
}
