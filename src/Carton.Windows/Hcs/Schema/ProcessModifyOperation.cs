namespace Carton.Windows.Hcs.Schema;

/// <summary>The values of <see cref="ProcessModifyRequest.Operation"/>.</summary>
public static class ProcessModifyOperation
{
    /// <summary>Resize the process's console (<see cref="ProcessModifyRequest.ConsoleSize"/>).</summary>
    public const string ConsoleSize = "ConsoleSize";
    /// <summary>Close one of its standard handles (<see cref="ProcessModifyRequest.CloseHandle"/>).</summary>
    public const string CloseHandle = "CloseHandle";
}
