namespace Carton.Windows.Hcs.Schema;

/// <summary>The values of <see cref="ModifySettingRequest.RequestType"/> (hcsshim's guestrequest.RequestType).</summary>
public static class ModifyRequestType
{
    /// <summary>Add the resource.</summary>
    public const string Add = "Add";
    /// <summary>Remove the resource.</summary>
    public const string Remove = "Remove";
    /// <summary>Change the resource.</summary>
    public const string Update = "Update";
}
