using Carton.Runtime;

namespace Carton.Compute.Linux;

/// <summary>
/// Scratch directories that no system owns any more, removed when a service starts (issue 15, the daemon killed
/// mid-operation). A service SIGKILLed during a create after it made the system's scratch directory (and perhaps
/// mounted its image snapshot) but before the monitor saved the runtime's state, or during a delete after the
/// runtime's state was removed but before the scratch directory, leaves a directory that no listing shows and no
/// delete reaches (both go by the runtime's state), whose mounts stay, and whose id cannot be created again.
/// </summary>
internal static class OrphanScratch
{
    /// <summary>Removes (as a delete would: network, snapshot or overlay, directory) every scratch directory under
    /// <paramref name="service"/>'s scratch root that has no runtime state and no live monitor creating it; returns
    /// the ids removed and, for each one that could not be, why.</summary>
    public static (List<string> Removed, List<string> Failed) Sweep(ComputeService service)
    {
        var removed = new List<string>();
        var failed = new List<string>();
        // and the runtime state directories a delete killed halfway left as tombstones (StateStore.Remove)
        service.Store.SweepTombstones();
        if (!Directory.Exists(service.ScratchRoot)) return (removed, failed);
        foreach (var dir in Directory.EnumerateDirectories(service.ScratchRoot))
        {
            var id = Path.GetFileName(dir);
            try { ContainerId.Validate(id); }
            catch (RuntimeError) { continue; }
            if (service.Store.Exists(id)) continue;
            var record = service.ReadRecord(id);
            // its monitor may still be creating it: the runtime's state appears in a moment
            if (record.MonitorPid > 0 && ProcessInfo.IsAlive(record.MonitorPid, record.MonitorStartTime)) continue;
            try
            {
                service.RemoveScratch(id);
                removed.Add(id);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CartonException)
            {
                failed.Add($"{id}: {e.Message}");
            }
        }
        return (removed, failed);
    }
}
