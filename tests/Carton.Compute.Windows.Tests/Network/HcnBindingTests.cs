using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Carton.Windows.Network;

namespace Carton.Compute.Windows.Tests.Network;

/// <summary>What can be checked of the computenetwork.dll bindings without Windows: the entry points are exactly
/// Microsoft's names, from computenetwork.dll, with the documented parameter shapes (REFGUID by reference, PCWSTR as
/// UTF-16 strings, handles and PWSTR* out), and the class is Windows-only.</summary>
public sealed class HcnBindingTests
{
    private static readonly Type Native = typeof(HostComputeNetworkApi).Assembly.GetType("Carton.Windows.Network.ComputeNetworkNative", throwOnError: true)!;

    private static IEnumerable<MethodInfo> Imports() =>
        Native.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public).Where(m => m.GetCustomAttribute<LibraryImportAttribute>() is not null);

    [Fact]
    public void Every_HCN_function_in_use_is_bound_from_computenetwork_dll()
    {
        string[] expected =
        [
            "HcnCreateNetwork", "HcnOpenNetwork", "HcnModifyNetwork", "HcnQueryNetworkProperties", "HcnDeleteNetwork", "HcnCloseNetwork", "HcnEnumerateNetworks",
            "HcnCreateEndpoint", "HcnOpenEndpoint", "HcnQueryEndpointProperties", "HcnModifyEndpoint", "HcnDeleteEndpoint", "HcnCloseEndpoint", "HcnEnumerateEndpoints",
            "HcnCreateNamespace", "HcnOpenNamespace", "HcnModifyNamespace", "HcnQueryNamespaceProperties", "HcnDeleteNamespace", "HcnCloseNamespace", "HcnEnumerateNamespaces",
        ];
        var bound = Imports().Select(m => m.GetCustomAttribute<LibraryImportAttribute>()!.EntryPoint ?? m.Name).Order().ToList();
        Assert.Equal(expected.Order(), bound);
        Assert.All(Imports(), m => Assert.Equal("computenetwork.dll", m.GetCustomAttribute<LibraryImportAttribute>()!.LibraryName));
        Assert.NotNull(Native.GetCustomAttribute<SupportedOSPlatformAttribute>());
        Assert.NotNull(typeof(HostComputeNetworkApi).GetCustomAttribute<SupportedOSPlatformAttribute>());
    }

    [Theory]
    [InlineData("HcnCreateNetwork", "Guid& in, String, HcnNetworkHandle& out, IntPtr& out")]
    [InlineData("HcnOpenNetwork", "Guid& in, HcnNetworkHandle& out, IntPtr& out")]
    [InlineData("HcnQueryNetworkProperties", "HcnNetworkHandle, String, IntPtr& out, IntPtr& out")]
    [InlineData("HcnModifyNetwork", "HcnNetworkHandle, String, IntPtr& out")]
    [InlineData("HcnDeleteNetwork", "Guid& in, IntPtr& out")]
    [InlineData("HcnCloseNetwork", "IntPtr")]
    [InlineData("HcnEnumerateNetworks", "String, IntPtr& out, IntPtr& out")]
    [InlineData("HcnCreateEndpoint", "HcnNetworkHandle, Guid& in, String, HcnEndpointHandle& out, IntPtr& out")]
    [InlineData("HcnQueryEndpointProperties", "HcnEndpointHandle, String, IntPtr& out, IntPtr& out")]
    [InlineData("HcnCreateNamespace", "Guid& in, String, HcnNamespaceHandle& out, IntPtr& out")]
    [InlineData("HcnModifyNamespace", "HcnNamespaceHandle, String, IntPtr& out")]
    [InlineData("HcnDeleteNamespace", "Guid& in, IntPtr& out")]
    public void Signatures_follow_ComputeNetwork_h(string name, string parameters)
    {
        var m = Imports().Single(x => x.Name == name);
        Assert.Equal(typeof(int), m.ReturnType); // HRESULT
        var shape = string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name + (p.IsOut ? " out" : p.IsIn ? " in" : "")));
        Assert.Equal(parameters, shape);
        if (m.GetParameters().Any(p => p.ParameterType == typeof(string)))
            Assert.Equal(StringMarshalling.Utf16, m.GetCustomAttribute<LibraryImportAttribute>()!.StringMarshalling);
    }
}
