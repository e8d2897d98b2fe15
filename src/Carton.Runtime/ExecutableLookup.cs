using Carton.Linux.Rootfs;

namespace Carton.Runtime;

/// <summary>Finds process.args[0] inside the container before `create` reports success, so that a missing
/// program fails `create` (as with runc) rather than a later `start`.</summary>
public static class ExecutableLookup
{
    public static string Resolve(string name, IReadOnlyList<string> env, string cwd)
    {
        if (name.Length == 0) throw new RuntimeError("process.args[0]: must not be empty");
        if (name.Contains('/'))
        {
            var full = name.StartsWith('/') ? name : Path.Combine(cwd, name);
            Check(full, name);
            return name;
        }
        var pathVar = env.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..];
        if (pathVar is null)
            throw new RuntimeError($"process.args[0]: exec: \"{name}\": executable file not found in $PATH (process.env has no PATH)");
        foreach (var dir in pathVar.Split(':'))
        {
            var candidate = Path.Combine(dir.Length == 0 ? "." : dir, name);
            if (IsExecutable(candidate)) return candidate;
        }
        throw new RuntimeError($"process.args[0]: exec: \"{name}\": executable file not found in $PATH");
    }

    private static void Check(string path, string name)
    {
        var st = FileType.OfPath(path) ?? throw new RuntimeError($"process.args[0]: exec: \"{name}\": no such file or directory");
        if (st.IsDirectory || (st.Mode & 0x49) == 0)
            throw new RuntimeError($"process.args[0]: exec: \"{name}\": permission denied");
    }

    private static bool IsExecutable(string path)
    {
        var st = FileType.OfPath(path);
        return st is { } s && !s.IsDirectory && (s.Mode & 0x49) != 0;
    }
}
