using Carton.Network.Cni;

namespace Carton.Network.Tests.Cni;

/// <summary>Found by fuzzing (issue 15 §2): a CNI document with a key twice parsed, then threw ArgumentException
/// ("An item with the same key has already been added") at the first lookup. It must be an InvalidDocument error
/// (configs, results, VERSION answers), and a plugin's error document with one is not read as an error document.</summary>
public sealed class CniDuplicateKeyTests
{
    [Fact]
    public void A_conflist_with_a_duplicate_key_is_invalid()
    {
        var e = Assert.Throws<CartonException>(() => CniConfigList.Parse("""{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"a","type":"b"}]}""", "dup.conflist"));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
    }

    [Fact]
    public void A_result_with_a_duplicate_key_is_invalid()
    {
        var e = Assert.Throws<CartonException>(() => CniResult.Parse("""{"cniVersion":"1.0.0","cniVersion":"1.0.0","ips":[]}""", "plugin"));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
    }

    [Fact]
    public void A_version_answer_with_a_duplicate_key_is_invalid()
    {
        var e = Assert.Throws<CartonException>(() => CniRuntime.ParseVersionInfo("""{"cniVersion":"1.0.0","cniVersion":"1.1.0"}""", "plugin"));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
    }

    [Fact]
    public void An_error_document_with_a_duplicate_key_is_not_taken_as_one()
    {
        Assert.False(CniPluginExec.TryParseError("""{"code":7,"code":8,"msg":"x"}""", out _, out _, out _));
    }

    [Fact]
    public void A_key_with_a_lone_surrogate_escape_is_invalid_not_an_InvalidOperationException()
    {
        const string doc = """{"cniVersion":"1.0.0","code":7,"\ud800":1}""";
        Assert.False(CniPluginExec.TryParseError(doc, out _, out _, out _));
        Assert.Equal(ErrorKind.InvalidDocument, Assert.Throws<CartonException>(() => CniResult.Parse(doc, "plugin")).Kind);
    }
}
