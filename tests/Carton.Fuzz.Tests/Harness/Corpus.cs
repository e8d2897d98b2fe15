namespace Carton.Fuzz.Tests.Harness;

/// <summary>The seed files of a target: tests/Carton.Fuzz.Tests/Corpus/&lt;target&gt;/*, copied next to the test assembly.</summary>
public static class Corpus
{
    public static string DirectoryOf(string target) => Path.Combine(AppContext.BaseDirectory, "Corpus", target);

    public static IReadOnlyList<byte[]> Load(string target)
    {
        var dir = DirectoryOf(target);
        if (!Directory.Exists(dir)) throw new InvalidOperationException($"no corpus for {target}: {dir} is missing");
        var seeds = Directory.GetFiles(dir).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        if (seeds.Count == 0) throw new InvalidOperationException($"no corpus for {target}: {dir} is empty");
        return seeds;
    }

    /// <summary>Every seed as (file name, bytes), for the corpus replay tests.</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> Files(string target) =>
        Directory.GetFiles(DirectoryOf(target)).Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), File.ReadAllBytes(f)));
}
