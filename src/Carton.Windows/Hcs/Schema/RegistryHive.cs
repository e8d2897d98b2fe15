namespace Carton.Windows.Hcs.Schema;

/// <summary>The values of schema "RegistryHive", as strings on the wire (<see cref="RegistryKey.Hive"/> keeps any other
/// value as it came, so that a document from a newer HCS round-trips).</summary>
public static class RegistryHive
{
    /// <summary>HKLM\SYSTEM of the container.</summary>
    public const string System = "System";
    /// <summary>HKLM\SOFTWARE of the container.</summary>
    public const string Software = "Software";
    /// <summary>HKLM\SECURITY of the container.</summary>
    public const string Security = "Security";
    /// <summary>HKLM\SAM of the container.</summary>
    public const string Sam = "Sam";
}
