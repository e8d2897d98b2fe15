namespace Carton.Windows.Hcs.Schema;

/// <summary>The values of schema "PropertyType" that a <see cref="PropertyQuery"/> asks for (the ones in use).</summary>
public static class PropertyType
{
    /// <summary>Memory information of a VM.</summary>
    public const string Memory = "Memory";
    /// <summary>Runtime statistics (<see cref="Properties.Statistics"/>).</summary>
    public const string Statistics = "Statistics";
    /// <summary>The processes (<see cref="Properties.ProcessList"/>).</summary>
    public const string ProcessList = "ProcessList";
    /// <summary>Whether the system ends with its last handle.</summary>
    public const string TerminateOnLastHandleClosed = "TerminateOnLastHandleClosed";
    /// <summary>The system GUID.</summary>
    public const string SystemGuid = "SystemGUID";
}
