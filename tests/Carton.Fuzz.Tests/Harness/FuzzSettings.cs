using System.Globalization;

namespace Carton.Fuzz.Tests.Harness;

/// <summary>What a run is told through the environment: the CI smoke uses the defaults, scripts/fuzz.sh the long campaign.</summary>
public static class FuzzSettings
{
    /// <summary>Inputs per target (FUZZ_INPUTS). The default keeps the whole project under about two minutes on a
    /// 2-core machine, so the solution's normal `dotnet test` is the CI smoke.</summary>
    public static long Inputs => Long("FUZZ_INPUTS", 1500);

    /// <summary>Per-input watchdog in milliseconds (FUZZ_TIMEOUT_MS): an input still running after it is a hang.</summary>
    public static int TimeoutMs => (int)Long("FUZZ_TIMEOUT_MS", 2000);

    /// <summary>CsCheck worker threads (FUZZ_THREADS); -1 lets CsCheck use one per CPU.</summary>
    public static int Threads => (int)Long("FUZZ_THREADS", -1);

    /// <summary>CsCheck seed (FUZZ_SEED) to replay a run; null: a new random one (printed with every finding).</summary>
    public static string? Seed => Environment.GetEnvironmentVariable("FUZZ_SEED") is { Length: > 0 } s ? s : null;

    /// <summary>Where findings' inputs are written (FUZZ_FINDINGS); default a temp directory named in the report.</summary>
    public static string FindingsDir => Environment.GetEnvironmentVariable("FUZZ_FINDINGS") is { Length: > 0 } d
        ? d : Path.Combine(Path.GetTempPath(), "fuzz-findings");

    /// <summary>A file each target appends its figures line to (FUZZ_REPORT), for scripts/fuzz.sh; null: none.</summary>
    public static string? ReportFile => Environment.GetEnvironmentVariable("FUZZ_REPORT") is { Length: > 0 } f ? f : null;

    private static long Long(string name, long fallback) =>
        long.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v != 0 ? v : fallback;
}
