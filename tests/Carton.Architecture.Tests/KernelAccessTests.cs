using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Carton.Architecture.Tests;

/// <summary>Issue 8 §4: only Carton.Linux talks to the kernel. Every other project goes through its public primitives,
/// never through its raw libc bindings (Carton.Linux.Interop.Libc, internal) and never with a P/Invoke of its own.
/// Issue 18 adds its Windows counterpart: only Carton.Windows calls Windows' DLLs, and each of the two calls only its
/// own OS's libraries.</summary>
public sealed class KernelAccessTests
{
    private const string KernelLayer = "Carton.Linux";
    private const string WindowsLayer = "Carton.Windows";

    /// <summary>The libraries each primitive layer may bind (module names as written in LibraryImport/DllImport).</summary>
    private static readonly Dictionary<string, string[]> Libraries = new(StringComparer.Ordinal)
    {
        [KernelLayer] = ["libc", "libcarton_native"],
        [WindowsLayer] = ["computecore.dll", "computestorage.dll", "computenetwork.dll", "vmcompute.dll", "kernel32.dll", "advapi32.dll", "ole32.dll"],
    };

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
    private static List<string> PInvokeMethods(string assemblyFile) => [.. PInvokes(assemblyFile).Select(p => p.Method)];

    /// <summary>Each P/Invoke with the library it binds.</summary>
    private static List<(string Method, string Library)> PInvokes(string assemblyFile)
    {
        using var stream = File.OpenRead(assemblyFile);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata) return [];
        var md = pe.GetMetadataReader();
        var result = new List<(string, string)>();
        foreach (var handle in md.MethodDefinitions)
        {
            var method = md.GetMethodDefinition(handle);
            if ((method.Attributes & MethodAttributes.PinvokeImpl) == 0) continue;
            var type = md.GetTypeDefinition(method.GetDeclaringType());
            var module = md.GetString(md.GetModuleReference(method.GetImport().Module).Name);
            result.Add(($"{md.GetString(type.Namespace)}.{md.GetString(type.Name)}.{md.GetString(method.Name)}", module));
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
            .Where(a => !Libraries.ContainsKey(a.Key))
            .SelectMany(a => PInvokeMethods(a.Value).Select(m => $"{a.Key}: {m}"))
            .ToList();
        Assert.True(offenders.Count == 0, "P/Invoke outside Carton.Linux and Carton.Windows:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void EachPrimitiveLayerBindsOnlyItsOwnOperatingSystemsLibraries()
    {
        var assemblies = CartonAssemblies();
        var offenders = new List<string>();
        foreach (var (layer, allowed) in Libraries)
        {
            Assert.Contains(layer, assemblies.Keys);
            foreach (var (method, library) in PInvokes(assemblies[layer]))
                if (!allowed.Contains(library, StringComparer.OrdinalIgnoreCase)) offenders.Add($"{layer}: {method} binds {library}");
        }
        Assert.True(offenders.Count == 0, "a primitive layer binds another OS's library:\n" + string.Join("\n", offenders));
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
        var windowsLayer = Path.Combine(src, WindowsLayer) + Path.DirectorySeparatorChar;
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            if (file.StartsWith(kernelLayer, StringComparison.Ordinal) || IsBuildOutput(file)) continue;
            // Carton.Windows binds Windows' DLLs (its own test above says which); libc stays Carton.Linux's alone
            if (file.StartsWith(windowsLayer, StringComparison.Ordinal)
                && !File.ReadAllText(file).Contains("Libc.", StringComparison.Ordinal)) continue;
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
                if (lines[i].Contains("Libc.", StringComparison.Ordinal) || lines[i].Contains("DllImport", StringComparison.Ordinal)
                    || lines[i].Contains("LibraryImport", StringComparison.Ordinal))
                    offenders.Add($"{Path.GetRelativePath(src, file)}:{i + 1}: {lines[i].Trim()}");
        }
        Assert.True(offenders.Count == 0, "kernel calls outside Carton.Linux (Windows calls outside Carton.Windows):\n" + string.Join("\n", offenders));
    }
}
