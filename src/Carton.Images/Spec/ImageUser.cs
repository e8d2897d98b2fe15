using System.Globalization;

namespace Carton.Images.Spec;

/// <summary>
/// The image config's User ("user", "uid", "user:group", "uid:gid", "user:gid", "uid:group") resolved to ids through
/// the image's own /etc/passwd and /etc/group (image-spec conversion.md, "Config.User"): a name must be found there; a
/// number need not be. Without a group, the gid is the user's primary group from passwd (0 when the uid has no
/// entry, as runc and docker do) and the additional gids are the groups that list the user by name.
/// </summary>
public static class ImageUser
{
    /// <param name="user">config.User; null or empty is root.</param>
    /// <param name="passwd">the image's /etc/passwd, or null when it has none.</param>
    /// <param name="group">the image's /etc/group, or null when it has none.</param>
    public static (uint Uid, uint Gid, List<uint> AdditionalGids) Resolve(string? user, string? passwd, string? group)
    {
        if (string.IsNullOrEmpty(user)) return (0, 0, []);
        var parts = user.Split(':', 2);
        string userPart = parts[0], groupPart = parts.Length > 1 ? parts[1] : "";
        var users = ParsePasswd(passwd);
        var groups = ParseGroup(group);

        uint uid;
        string? userName = null;
        uint? primaryGid = null;
        if (TryId(userPart, out uid))
        {
            var entry = users.FirstOrDefault(u => u.Uid == uid);
            if (entry.Name is not null) (userName, primaryGid) = (entry.Name, entry.Gid);
        }
        else
        {
            var entry = users.FirstOrDefault(u => u.Name == userPart);
            if (entry.Name is null)
                throw Invalid(user, passwd is null
                    ? $"the user \"{userPart}\" is a name, and the image has no /etc/passwd to resolve it"
                    : $"no user \"{userPart}\" in the image's /etc/passwd");
            (uid, userName, primaryGid) = (entry.Uid, entry.Name, entry.Gid);
        }

        uint gid;
        List<uint> additional = [];
        if (groupPart.Length > 0)
        {
            if (!TryId(groupPart, out gid))
            {
                var g = groups.FirstOrDefault(x => x.Name == groupPart);
                if (g.Name is null)
                    throw Invalid(user, group is null
                        ? $"the group \"{groupPart}\" is a name, and the image has no /etc/group to resolve it"
                        : $"no group \"{groupPart}\" in the image's /etc/group");
                gid = g.Gid;
            }
        }
        else
        {
            gid = primaryGid ?? 0;
            if (userName is not null)
                foreach (var g in groups)
                    if (g.Members.Contains(userName) && g.Gid != gid && !additional.Contains(g.Gid)) additional.Add(g.Gid);
        }
        return (uid, gid, additional);
    }

    private static CartonException Invalid(string user, string why) =>
        new(ErrorKind.InvalidDocument, $"config.User: \"{user}\": {why}", jsonPath: "config.User", reason: why);

    private static bool TryId(string s, out uint id) =>
        uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out id);

    private static List<(string Name, uint Uid, uint Gid)> ParsePasswd(string? text)
    {
        var list = new List<(string, uint, uint)>();
        foreach (var line in Lines(text))
        {
            // name:password:uid:gid:gecos:home:shell
            var f = line.Split(':');
            if (f.Length >= 4 && TryId(f[2], out var uid) && TryId(f[3], out var gid)) list.Add((f[0], uid, gid));
        }
        return list;
    }

    private static List<(string Name, uint Gid, string[] Members)> ParseGroup(string? text)
    {
        var list = new List<(string, uint, string[])>();
        foreach (var line in Lines(text))
        {
            // name:password:gid:member,member
            var f = line.Split(':');
            if (f.Length >= 3 && TryId(f[2], out var gid))
                list.Add((f[0], gid, f.Length > 3 ? f[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : []));
        }
        return list;
    }

    private static IEnumerable<string> Lines(string? text) =>
        (text ?? "").Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0 && !l.StartsWith('#'));
}
