using Carton.Compute;
using Carton.Compute.Linux;

namespace Carton.Service;

/// <summary>The one place the daemon names the in-process implementation.</summary>
internal static class ServiceFactory
{
    public static IComputeService Create(string? stateRoot, string initBinary, string? imageRoot = null)
    {
        var defaults = new ComputeServiceOptions();
        return new ComputeService(new ComputeServiceOptions
        {
            StateRoot = stateRoot ?? defaults.StateRoot, InitBinaryPath = initBinary, ImageRoot = imageRoot ?? defaults.ImageRoot,
        });
    }

    public static string DefaultStateRoot => new ComputeServiceOptions().StateRoot;
}
