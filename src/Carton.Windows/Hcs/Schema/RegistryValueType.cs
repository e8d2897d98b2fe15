namespace Carton.Windows.Hcs.Schema;

/// <summary>The values of schema "RegistryValueType", as strings on the wire (see <see cref="RegistryValue.Type"/>).</summary>
public static class RegistryValueType
{
    /// <summary>REG_NONE.</summary>
    public const string None = "None";
    /// <summary>REG_SZ, in StringValue.</summary>
    public const string String = "String";
    /// <summary>REG_EXPAND_SZ, in StringValue.</summary>
    public const string ExpandedString = "ExpandedString";
    /// <summary>REG_MULTI_SZ, in StringValue.</summary>
    public const string MultiString = "MultiString";
    /// <summary>REG_BINARY, base64 in BinaryValue.</summary>
    public const string Binary = "Binary";
    /// <summary>REG_DWORD, in DWordValue.</summary>
    public const string DWord = "DWord";
    /// <summary>REG_QWORD, in QWordValue.</summary>
    public const string QWord = "QWord";
    /// <summary>Another type, numbered in CustomType, data in BinaryValue.</summary>
    public const string CustomType = "CustomType";
}
