namespace Carton.Images.Tests.Infrastructure;

/// <summary>Where the black-box tests find the published binaries: the repository's artifacts/bin.</summary>
public static class RepoPaths
{
    /// <summary>The directory holding Carton.slnx, found upwards from the test assembly.</summary>
    public static readonly string Root = FindRoot();

    /// <summary>artifacts/bin/carton, which execs carton-image for `carton image ...`.</summary>
    public static readonly string Carton = Path.Combine(Root, "artifacts", "bin", "carton");

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Carton.slnx"))) return d.FullName;
        throw new InvalidOperationException("Carton.slnx not found above " + AppContext.BaseDirectory);
    }
}
