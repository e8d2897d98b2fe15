using Carton.Compute.Linux;

namespace Carton.Monitor;

/// <summary>carton-monitor: started by the Linux compute backend with a channel fd, creates one container, answers,
/// then waits for the container's init and records its exit status (<see cref="ContainerMonitor.Run"/>).</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length != 0)
        {
            Console.Error.WriteLine("carton-monitor: takes no arguments; the compute service starts it");
            return 1;
        }
        return ContainerMonitor.Run();
    }
}
