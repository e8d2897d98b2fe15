using Carton.Compute;
using Carton.Compute.Linux;
using Carton.Network;
using Carton.Network.Linux;

namespace Carton.Service;

/// <summary>The one place the daemon names the in-process implementation.</summary>
internal static class ServiceFactory
{
    public static IComputeService Create(string? stateRoot, string initBinary, string? imageRoot = null, INetworkService? networks = null)
    {
        var defaults = new ComputeServiceOptions();
        var service = new ComputeService(new ComputeServiceOptions
        {
            StateRoot = stateRoot ?? defaults.StateRoot, InitBinaryPath = initBinary, ImageRoot = imageRoot ?? defaults.ImageRoot,
            Networks = networks,
        });
        // a previous daemon killed mid-create or mid-delete may have left scratch directories no system owns
        var (removed, failed) = service.RemoveOrphanedScratch();
        foreach (var id in removed) JsonLog.Info("removed an orphaned scratch directory", w => w.WriteString("id", id));
        foreach (var why in failed) JsonLog.Warn("an orphaned scratch directory could not be removed", w => w.WriteString("error", why));
        // and one killed while it terminated a system may have left it frozen, which nobody asked for
        foreach (var id in service.EndInterruptedKills()) JsonLog.Info("thawed a system an interrupted kill left frozen", w => w.WriteString("id", id));
        return service;
    }

    /// <summary>The network service: CNI over the Debian plugins, with its state under <paramref name="networkRoot"/>
    /// (networks) and <paramref name="networkRunRoot"/> (attachments), or the host layout's defaults.</summary>
    public static NetworkService CreateNetworks(string? networkRoot, string? networkRunRoot, string? netnsDirectory) => new(new NetworkServiceOptions
    {
        StateRoot = networkRoot ?? NetworkDefaults.StateRoot,
        RunRoot = networkRunRoot ?? NetworkDefaults.RunRoot,
        NetnsDirectory = netnsDirectory ?? NetworkDefaults.NetnsDirectory,
    });

    public static string DefaultStateRoot => new ComputeServiceOptions().StateRoot;
}
