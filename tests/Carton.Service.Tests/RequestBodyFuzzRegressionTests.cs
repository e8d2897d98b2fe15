using System.Text;
using Carton.Compute;

namespace Carton.Service.Tests;

/// <summary>Bodies the fuzzer (tests/Carton.Fuzz.Tests, issue 15 §2) found crashing the daemon's readers: each must
/// be an InvalidComputeDocumentException (400) naming the field. Before the fix: InvalidOperationException ("Cannot
/// transcode invalid UTF-8") for bytes that are not UTF-8, and null list entries passed on to the service. No daemon.</summary>
public sealed class RequestBodyFuzzRegressionTests
{
    [Fact]
    public void A_create_body_that_is_not_UTF8_is_an_invalid_document()
    {
        byte[] body = [.. "{\"id\": \"a"u8, 0xFF, .. "\", \"document\": {}}"u8];
        var e = Assert.Throws<InvalidComputeDocumentException>(() => SystemCreateBody.Parse(body));
        Assert.Contains("UTF-8", e.Message);
    }

    [Fact]
    public void A_null_list_entry_in_a_create_body_is_an_invalid_document_naming_it()
    {
        var body = Encoding.UTF8.GetBytes("""{"id": "x", "document": {"hcs": {"Container": {"Storage": {"Layers": [null]}}}}}""");
        var e = Assert.Throws<InvalidComputeDocumentException>(() => SystemCreateBody.Parse(body));
        Assert.Equal("$.document.hcs.Container.Storage.Layers[0]", e.JsonPath);
    }

    [Fact]
    public void A_resources_body_that_is_not_UTF8_is_an_invalid_document()
    {
        byte[] body = [.. "{\"memory"u8, 0xC0, .. "\": {}}"u8];
        var e = Assert.Throws<InvalidComputeDocumentException>(() => ResourcesBody.Parse(body));
        Assert.Contains("UTF-8", e.Message);
    }

    [Fact]
    public void A_null_entry_in_a_resources_body_is_an_invalid_document_naming_it()
    {
        var body = Encoding.UTF8.GetBytes("""{"devices": [null]}""");
        var e = Assert.Throws<InvalidComputeDocumentException>(() => ResourcesBody.Parse(body));
        Assert.Equal("$.devices[0]", e.JsonPath);
    }
}
