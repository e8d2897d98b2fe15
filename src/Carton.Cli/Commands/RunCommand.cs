using System.CommandLine;
using System.Runtime.InteropServices;
using Carton.Linux.Interop;
using Carton.Linux.IO;
using Carton.Runtime;

namespace Carton.Cli;

/// <summary>
/// `carton run` (runc-run(8)): create + start, then (unless --detach) wait for the container's process, forward
/// the signals carton receives to it, and return its exit code (128+N when killed by signal N). Without --keep the
/// container is deleted after it exits. With process.terminal and no --console-socket, carton holds the pty master
/// itself and copies between it and its own stdio.
/// </summary>
public static unsafe class RunCommand
{
    public static Command Build()
    {
        var flags = new CreateCommand.Flags();
        var detach = new Option<bool>("--detach", "-d") { Description = "detach from the container's process" };
        var keep = new Option<bool>("--keep") { Description = "do not delete the container after it exits" };
        var cmd = new Command("run", "create and run a container") { CreateCommand.Id, detach, keep };
        flags.AddTo(cmd);
        cmd.SetAction(parse => GlobalOptions.Execute(parse, life =>
        {
            var id = parse.GetValue(CreateCommand.Id)!;
            bool detached = parse.GetValue(detach);
            int ownConsole = -1, peer = -1;
            // config.json is parsed once, here; the creator validates what it is given (and reports a file that does
            // not parse, which it then reads itself).
            var spec = TryLoadSpec(parse.GetValue(flags.Bundle) ?? ".");
            if (!detached && parse.GetValue(flags.ConsoleSocket) is null && spec?.Process?.Terminal == true)
                (ownConsole, peer) = ForegroundProcess.ConsolePair();
            var creator = new ContainerCreator(life);
            ContainerRecord record;
            try { record = creator.Create(flags.ToOptions(parse, id, peer, spec)); }
            finally { foreach (var w in creator.Warnings) CliLog.Current.Warn(w); }
            if (peer >= 0) FileDescriptor.Close(peer);
            int master = ownConsole >= 0 ? FdPassing.Receive(ownConsole, out _) : -1;
            if (ownConsole >= 0) FileDescriptor.Close(ownConsole);
            // The signal proxy is in place before the start, as runc's: the container can run (and print) before
            // Wait is reached, and a SIGINT in between killed carton itself, leaving the container orphaned
            // (ForegroundRunTests.SigintToRuntime failed so once in CI).
            using var forward = detached ? null : ForegroundProcess.ForwardSignals(record.Pid);
            try
            {
                life.Start(id);
            }
            catch (RuntimeError)
            {
                if (!parse.GetValue(keep)) TryDelete(life, id);
                throw;
            }
            if (detached) return 0;

            int code = ForegroundProcess.Wait(record.Pid, master);
            if (!parse.GetValue(keep)) TryDelete(life, id);
            return code;
        }));
        return cmd;
    }

    private static void TryDelete(Lifecycle life, string id)
    {
        try { life.Delete(id, force: true); }
        catch (Exception e) when (e is CartonException or IOException)
        {
            CliLog.Current.Warn($"delete container \"{id}\": {e.Message}");
        }
    }

    private static Oci.Spec? TryLoadSpec(string bundle)
    {
        try { return Oci.SpecLoader.Load(Path.Combine(bundle, "config.json"), validate: false); }
        catch (Exception e) when (e is Oci.SpecException or IOException or UnauthorizedAccessException) { return null; }
    }
}
