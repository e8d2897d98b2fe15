using System.Globalization;

namespace Carton.Service;

/// <summary>Group names to ids, for --docker-group: /etc/group read directly (a NativeAOT daemon links no NSS;
/// a group that lives only in LDAP can be given by its number).</summary>
internal static class GroupDatabase
{
    public const string Path = "/etc/group";

    /// <summary>The gid of <paramref name="nameOrId"/> (a number is taken as it is); throws ArgumentException naming it.</summary>
    public static uint Resolve(string nameOrId, string file = Path)
    {
        if (uint.TryParse(nameOrId, NumberStyles.None, CultureInfo.InvariantCulture, out var gid)) return gid;
        if (File.Exists(file))
        {
            foreach (var line in File.ReadLines(file))
            {
                var fields = line.Split(':');
                if (fields.Length >= 3 && fields[0] == nameOrId && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out gid))
                    return gid;
            }
        }
        throw new ArgumentException($"--docker-group: no group \"{nameOrId}\" in {file} (give its number instead)");
    }
}
