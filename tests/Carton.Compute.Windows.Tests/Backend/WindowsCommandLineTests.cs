using Carton.Compute.Windows.Translation;

namespace Carton.Compute.Windows.Tests.Backend;

/// <summary>argv → command line (Translation.WindowsCommandLine, which the backend uses for processes too), expected values worked out by hand from Microsoft's "Parsing C command-line
/// arguments" rules (2n backslashes + quote → n backslashes and a delimiter; 2n+1 → n and a literal quote).</summary>
public sealed class WindowsCommandLineTests
{
    [Theory]
    [InlineData(new[] { "cmd", "/c", "dir" }, "cmd /c dir")]
    [InlineData(new[] { "a b" }, "\"a b\"")]
    [InlineData(new[] { "" }, "\"\"")]
    [InlineData(new[] { "say \"hi\"" }, "\"say \\\"hi\\\"\"")]
    [InlineData(new[] { "C:\\dir\\" }, "C:\\dir\\")]
    [InlineData(new[] { "C:\\my dir\\" }, "\"C:\\my dir\\\\\"")]
    // a quote needs no surrounding quotes: five backslashes then the quote read back as two and a literal quote
    [InlineData(new[] { "a\\\\\"b" }, "a\\\\\\\\\\\"b")]
    [InlineData(new[] { "tab\there" }, "\"tab\there\"")]
    public void Arguments_are_quoted_so_that_Windows_splits_them_back(string[] args, string expected) =>
        Assert.Equal(expected, WindowsCommandLine.Join(args));
}
