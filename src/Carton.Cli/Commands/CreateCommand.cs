using System.CommandLine;
using Carton.Runtime;

namespace Carton.Cli;

/// <summary>`carton create` (runc-create(8)).</summary>
public static class CreateCommand
{
    public static readonly Argument<string> Id = new("container-id") { Description = "the container's id, unique on this host" };

    public sealed class Flags
    {
        public readonly Option<string> Bundle = new("--bundle", "-b") { Description = "path to the root of the bundle directory", DefaultValueFactory = _ => "." };
        public readonly Option<string?> ConsoleSocket = new("--console-socket") { Description = "path to an AF_UNIX socket which will receive the pty master" };
        public readonly Option<string?> PidFile = new("--pid-file") { Description = "file to write the process id to" };
        public readonly Option<bool> NoPivot = new("--no-pivot") { Description = "do not use pivot_root (weaker; for ramdisk roots)" };
        public readonly Option<bool> NoNewKeyring = new("--no-new-keyring") { Description = "do not create a new session keyring" };
        public readonly Option<int> PreserveFds = new("--preserve-fds") { Description = "pass N additional file descriptors to the container (3 to 3+N-1)" };

        public void AddTo(Command cmd)
        {
            cmd.Options.Add(Bundle); cmd.Options.Add(ConsoleSocket); cmd.Options.Add(PidFile);
            cmd.Options.Add(NoPivot); cmd.Options.Add(NoNewKeyring); cmd.Options.Add(PreserveFds);
            PreserveFds.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<int>() < 0) r.AddError("--preserve-fds: must not be negative");
            });
        }

        public CreateOptions ToOptions(ParseResult p, string id, int consoleFd = -1, Oci.Spec? spec = null) => new()
        {
            Spec = spec,
            Id = id, Bundle = p.GetValue(Bundle) ?? ".", ConsoleSocket = p.GetValue(ConsoleSocket), PidFile = p.GetValue(PidFile),
            NoPivot = p.GetValue(NoPivot), NoNewKeyring = p.GetValue(NoNewKeyring), PreserveFds = p.GetValue(PreserveFds),
            ConsoleSocketFd = consoleFd,
        };
    }

    public static Command Build()
    {
        var flags = new Flags();
        var cmd = new Command("create", "create a container") { Id };
        flags.AddTo(cmd);
        cmd.SetAction(parse => GlobalOptions.Execute(parse, life =>
        {
            var creator = new ContainerCreator(life);
            try { creator.Create(flags.ToOptions(parse, parse.GetValue(Id)!)); }
            finally { foreach (var w in creator.Warnings) CliLog.Current.Warn(w); }
            return 0;
        }));
        return cmd;
    }
}
