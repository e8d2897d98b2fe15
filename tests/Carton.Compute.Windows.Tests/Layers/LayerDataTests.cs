using System.Text.Json;
using Carton.Windows.Storage;

namespace Carton.Compute.Windows.Tests.Layers;

/// <summary>computestorage's JSON documents: the shape Microsoft's schema gives them (written here by hand), unknown
/// fields kept, and the typed error of a failed call.</summary>
public class LayerDataTests
{
    [Fact]
    public void Layer_data_serializes_to_the_schema_shape()
    {
        var data = LayerData.Of([
            new LayerDescriptor { Id = "8ef0e1b6-2b3e-5c6a-9a51-2f4c1f8c9d10", Path = @"C:\layers\b" },
            new LayerDescriptor { Id = "1a2b3c4d-0000-5000-8000-000000000001", Path = @"C:\layers\a", PathType = "AbsolutePath" },
        ]);
        var json = JsonSerializer.Serialize(data, StorageJsonContext.Default.LayerData);
        const string expected = """{"SchemaVersion":{"Major":2,"Minor":1},"Layers":[{"Id":"8ef0e1b6-2b3e-5c6a-9a51-2f4c1f8c9d10","Path":"C:\\layers\\b"},{"Id":"1a2b3c4d-0000-5000-8000-000000000001","Path":"C:\\layers\\a","PathType":"AbsolutePath"}]}""";
        Assert.Equal(expected, json);
    }

    [Fact]
    public void Unknown_fields_round_trip()
    {
        const string json = """{"SchemaVersion":{"Major":2,"Minor":5,"Patch":1},"Layers":[{"Id":"x","Path":"p","Cache":"Disabled"}],"FilterType":"UnionFS","Future":[1,2]}""";
        var data = JsonSerializer.Deserialize(json, StorageJsonContext.Default.LayerData)!;
        Assert.Equal("UnionFS", data.FilterType);
        Assert.True(data.Extra!.ContainsKey("Future"));
        Assert.True(data.Layers![0].Extra!.ContainsKey("Cache"));
        var back = JsonSerializer.Serialize(data, StorageJsonContext.Default.LayerData);
        using var a = JsonDocument.Parse(json);
        using var b = JsonDocument.Parse(back);
        Assert.True(JsonElement.DeepEquals(a.RootElement, b.RootElement), back);
    }

    [Fact]
    public void Options_documents_have_the_schema_names()
    {
        Assert.Equal("""{"IsWritableLayer":true}""",
            JsonSerializer.Serialize(new ExportLayerOptions { IsWritableLayer = true }, StorageJsonContext.Default.ExportLayerOptions));
        Assert.Equal("""{"Type":"Container"}""",
            JsonSerializer.Serialize(new OsLayerOptions { Type = "Container" }, StorageJsonContext.Default.OsLayerOptions));
    }

    [Theory]
    [InlineData(unchecked((int)0x80070005), ErrorKind.PermissionDenied, "E_ACCESSDENIED")]
    [InlineData(unchecked((int)0x80070002), ErrorKind.NotFound, "ERROR_FILE_NOT_FOUND")]
    [InlineData(unchecked((int)0x800700B7), ErrorKind.AlreadyExists, "ERROR_ALREADY_EXISTS")]
    [InlineData(unchecked((int)0x80070070), ErrorKind.ResourceExhausted, "ERROR_DISK_FULL")]
    [InlineData(unchecked((int)0x80370100), ErrorKind.Internal, null)]
    public void A_failed_call_names_the_call_the_path_and_the_hresult(int hr, ErrorKind kind, string? name)
    {
        var e = new LayerStorageException("HcsImportLayer", @"C:\layers\abc", hr);
        Assert.Equal(kind, e.Kind);
        Assert.StartsWith(@"HcsImportLayer C:\layers\abc: 0x", e.Message, StringComparison.Ordinal);
        Assert.Contains(((uint)hr).ToString("X8", System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        if (name is not null) Assert.Contains(name, e.Message, StringComparison.Ordinal);
        Assert.Equal(hr, e.HResult);
    }
}
