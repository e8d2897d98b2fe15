namespace Carton.Windows.Hcs;

/// <summary>How long Carton waits for each kind of HCS operation before it gives up with HCS_E_OPERATION_TIMEOUT
/// (and cancels the operation). The defaults follow hcsshim's internal/timeout: four minutes to create or start a
/// system (a Hyper-V utility VM boots in that time), and the same for any other call, since HCS serializes calls on a
/// system behind a slow one.</summary>
/// <param name="Create">HcsCreateComputeSystem.</param>
/// <param name="Start">HcsStartComputeSystem.</param>
/// <param name="Other">Every other operation (a shutdown gets the caller's own timeout).</param>
public sealed record HcsTimeouts(TimeSpan Create, TimeSpan Start, TimeSpan Other)
{
    /// <summary>Four minutes for everything (hcsshim's defaults).</summary>
    public static HcsTimeouts Default { get; } = new(TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(4));
}
