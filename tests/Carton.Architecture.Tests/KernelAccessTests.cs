using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Carton.Architecture.Tests;

/// <summary>Issue 8 §4: only Carton.Linux talks to the kernel. Every other project goes through its public primitives,
/// never through its raw libc bindings (Carton.Linux.Interop.Libc, internal) and never with a P/Invoke of its own.</summary>
public sealed class KernelAccessTests
{
    private const string KernelLayer = "Carton.Linux";

    /// <summary>The repository root: the nearest directory above the test binary that holds Carton.slnx.</summary>
    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Carton.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"Carton.slnx not found above {AppContext.BaseDirectory}");
    }

    private static bool IsBuildOutput(string path) =>
        path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
        || path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

    /// <summary>
    /// Every Carton assembly there is to check: the ones this test references (next to it), and the executables'
    /// (carton, carton-serve, carton-system, carton-monitor, carton-image) from their own build output in the same configuration.
    /// </summary>
    private static Dictionary<string, string> CartonAssemblies()
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string file)
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (!name.StartsWith("Carton.", StringComparison.Ordinal) && !name.StartsWith("carton", StringComparison.Ordinal)) return;
            if (name.EndsWith(".Tests", StringComparison.Ordinal)) return;
            found.TryAdd(name, file);
        }
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll")) Add(file);
        // .../tests/Carton.Architecture.Tests/bin/<Configuration>/<tfm>/
        var tfm = new DirectoryInfo(AppContext.BaseDirectory).Name;
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        foreach (var project in Directory.EnumerateDirectories(Path.Combine(RepoRoot(), "src")))
        {
            var output = Path.Combine(project, "bin", configuration, tfm);
            if (!Directory.Exists(output)) continue;
            // Executables build per runtime identifier (bin/<Configuration>/<tfm>/linux-x64/).
            foreach (var file in Directory.EnumerateFiles(output, "*.dll", SearchOption.AllDirectories)) Add(file);
        }
        return found;
    }

    /// <summary>Methods whose implementation is a P/Invoke (DllImport, and the extern stubs LibraryImport generates).</summary>
    private static List<string> PInvokeMethods(string assemblyFile)
    {
        using var stream = File.OpenRead(assemblyFile);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata) return [];
        var md = pe.GetMetadataReader();
        var result = new List<string>();
        foreach (var handle in md.MethodDefinitions)
        {
            var method = md.GetMethodDefinition(handle);
            if ((method.Attributes & MethodAttributes.PinvokeImpl) == 0) continue;
            var type = md.GetTypeDefinition(method.GetDeclaringType());
            result.Add($"{md.GetString(type.Namespace)}.{md.GetString(type.Name)}.{md.GetString(method.Name)}");
        }
        return result;
    }

    [Fact]
    public void OnlyCartonLinuxDeclaresPInvokes()
    {
        var assemblies = CartonAssemblies();
        Assert.Contains(KernelLayer, assemblies.Keys);
        // The check can see a P/Invoke: Carton.Linux has its libc bindings.
        Assert.NotEmpty(PInvokeMethods(assemblies[KernelLayer]));
        // The layers above are among those checked.
        foreach (var name in new[] { "Carton.Oci", "Carton.Runtime", "Carton.Compute.Linux", "Carton.Compute", "Carton.Client", "Carton.Docker",
                     "carton", "carton-serve", "carton-system", "carton-monitor" })
            Assert.Contains(name, assemblies.Keys);

        var offenders = assemblies
            .Where(a => a.Key != KernelLayer)
            .SelectMany(a => PInvokeMethods(a.Value).Select(m => $"{a.Key}: {m}"))
            .ToList();
        Assert.True(offenders.Count == 0, "P/Invoke outside Carton.Linux:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void TheLibcBindingsAreInternalToCartonLinux()
    {
        var libc = typeof(Carton.Linux.IO.FileDescriptor).Assembly.GetType("Carton.Linux.Interop.Libc", throwOnError: true)!;
        Assert.False(libc.IsPublic, "Carton.Linux.Interop.Libc must be internal");
    }

    [Fact]
    public void NoSourceOutsideCartonLinuxCallsLibc()
    {
        var src = Path.Combine(RepoRoot(), "src");
        var kernelLayer = Path.Combine(src, KernelLayer) + Path.DirectorySeparatorChar;
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            if (file.StartsWith(kernelLayer, StringComparison.Ordinal) || IsBuildOutput(file)) continue;
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
                if (lines[i].Contains("Libc.", StringComparison.Ordinal) || lines[i].Contains("DllImport", StringComparison.Ordinal)
                    || lines[i].Contains("LibraryImport", StringComparison.Ordinal))
                    offenders.Add($"{Path.GetRelativePath(src, file)}:{i + 1}: {lines[i].Trim()}");
        }
        Assert.True(offenders.Count == 0, "kernel calls outside Carton.Linux:\n" + string.Join("\n", offenders));
    }
}
