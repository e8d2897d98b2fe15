using System.Text;

namespace Carton.Images.Tests;

/// <summary>Inputs the fuzzer (tests/Carton.Fuzz.Tests, issue 15 §2) found crashing the manifest and config readers:
/// each must now be a CartonException of kind InvalidDocument naming the field. Before the fix they threw
/// NullReferenceException (null descriptor, null list entry) or InvalidOperationException (invalid UTF-8).</summary>
public sealed class ManifestFuzzRegressionTests
{
    private static readonly string Digest = "sha256:" + new string('a', 64);

    [Fact]
    public void A_null_config_descriptor_is_invalid_not_a_NullReferenceException()
    {
        var body = Encoding.UTF8.GetBytes("""{"schemaVersion": 2, "config": null, "layers": []}""");
        var e = Assert.Throws<CartonException>(() => ManifestDocuments.ParseManifest(body, "img"));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Equal("config", e.JsonPath);
    }

    [Fact]
    public void A_null_layer_is_invalid_naming_it()
    {
        var body = Encoding.UTF8.GetBytes($$"""{"schemaVersion": 2, "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "{{Digest}}", "size": 2}, "layers": [null]}""");
        var e = Assert.Throws<CartonException>(() => ManifestDocuments.ParseManifest(body, "img"));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Equal("layers[0]", e.JsonPath);
    }

    [Fact]
    public void Null_layers_or_manifests_are_invalid_not_a_NullReferenceException()
    {
        var manifest = Encoding.UTF8.GetBytes($$"""{"schemaVersion": 2, "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "{{Digest}}", "size": 2}, "layers": null}""");
        Assert.Equal("layers", Assert.Throws<CartonException>(() => ManifestDocuments.ParseManifest(manifest, "img")).JsonPath);
        var index = Encoding.UTF8.GetBytes("""{"schemaVersion": 2, "manifests": null}""");
        Assert.Equal("manifests", Assert.Throws<CartonException>(() => ManifestDocuments.ParseIndex(index, "img")).JsonPath);
    }

    [Fact]
    public void A_null_env_entry_in_a_config_is_invalid_naming_it()
    {
        var body = Encoding.UTF8.GetBytes("""{"architecture": "amd64", "os": "linux", "config": {"Env": ["A=1", null]}}""");
        var e = Assert.Throws<CartonException>(() => ManifestDocuments.ParseConfig(body, "img"));
        Assert.Equal("config.Env[1]", e.JsonPath);
    }

    [Fact]
    public void A_manifest_that_is_not_UTF8_is_invalid_not_an_InvalidOperationException()
    {
        byte[] body = [.. "{\"schemaVersion\": 2, \"mediaType\": \"a"u8, 0xC3, 0x28, .. "\"}"u8];
        var e = Assert.Throws<CartonException>(() => ManifestDocuments.Classify(body, null, "img"));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Contains("UTF-8", e.Message);
    }
}
