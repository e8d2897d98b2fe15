namespace Carton.Oci.Tests;

/// <summary>Inputs the fuzzer (tests/Carton.Fuzz.Tests, issue 15 §2) found crashing config.json validation: each
/// must now be a SpecException naming the field. Each threw NullReferenceException, ArgumentNullException or
/// ArgumentException before the fix.</summary>
public class FuzzRegressionTests
{
    private const string Base = """{"ociVersion": "1.0.2", "root": {"path": "/"}, "process": {"args": ["sh"], "cwd": "/"}, "linux": {"namespaces": [{"type": "mount"}]}""";

    [Theory]
    [InlineData(""", "mounts": [null]}""", "mounts[0]")]
    [InlineData(""", "mounts": [{"destination": "/x", "type": "tmpfs", "source": "tmpfs", "options": ["ro", null]}]}""", "mounts[0].options[1]")]
    [InlineData(""", "process": {"args": ["sh", null], "cwd": "/"}}""", "process.args[1]")]
    public void A_null_list_entry_is_a_spec_error_naming_it(string tail, string path)
    {
        var spec = SpecLoader.Parse(Base + tail);
        var e = Assert.Throws<SpecException>(() => SpecLoader.ThrowIfInvalid(spec, "/"));
        Assert.Equal(path, e.JsonPath);
        Assert.Contains($"{path}: must not be null", e.Message);
    }

    [Fact]
    public void A_null_namespace_entry_is_a_spec_error_naming_it()
    {
        var spec = SpecLoader.Parse("""{"ociVersion": "1.0.2", "root": {"path": "/"}, "hostname": "h", "process": {"args": ["sh"], "cwd": "/"}, "linux": {"namespaces": [{"type": "uts"}, null]}}""");
        var e = Assert.Throws<SpecException>(() => SpecLoader.ThrowIfInvalid(spec, "/"));
        Assert.Equal("linux.namespaces[1]", e.JsonPath);
    }

    [Fact]
    public void A_root_path_with_NUL_is_a_spec_error_not_an_ArgumentException()
    {
        var spec = SpecLoader.Parse("""{"ociVersion": "1.0.2", "root": {"path": "root\u0000fs"}, "process": {"args": ["sh"], "cwd": "/"}}""");
        var e = Assert.Throws<SpecException>(() => SpecLoader.ThrowIfInvalid(spec, "/tmp"));
        Assert.Equal("root.path", e.JsonPath);
        Assert.Contains("NUL", e.Message);
    }
}
