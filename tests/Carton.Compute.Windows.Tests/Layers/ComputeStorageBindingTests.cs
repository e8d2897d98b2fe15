using System.Reflection;
using System.Runtime.InteropServices;
using Carton.Windows.Storage;

namespace Carton.Compute.Windows.Tests.Layers;

/// <summary>
/// computestorage.dll's bindings checked as far as they can be without Windows: each [LibraryImport] against the
/// prototype Microsoft Learn's HCS reference gives (written out here by hand: the entry point, HRESULT as int, PCWSTR
/// as a UTF-16 string, HANDLE as a SafeHandle), and that every one of them is marked Windows-only.
/// </summary>
public class ComputeStorageBindingTests
{
    /// <summary>ComputeStorage.h, per https://learn.microsoft.com/virtualization/api/hcs/reference/.</summary>
    public static TheoryData<string, Type[]> Prototypes => new()
    {
        { "HcsImportLayer", [typeof(string), typeof(string), typeof(string)] },                     // layerPath, sourceFolderPath, layerData
        { "HcsExportLayer", [typeof(string), typeof(string), typeof(string), typeof(string)] },     // layerPath, exportFolderPath, layerData, options
        { "HcsInitializeWritableLayer", [typeof(string), typeof(string), typeof(string)] },         // writableLayerPath, layerData, options
        { "HcsAttachLayerStorageFilter", [typeof(string), typeof(string)] },                        // layerPath, layerData
        { "HcsDetachLayerStorageFilter", [typeof(string)] },                                        // layerPath
        { "HcsDestroyLayer", [typeof(string)] },                                                    // layerPath
        { "HcsSetupBaseOSLayer", [typeof(string), typeof(SafeHandle), typeof(string)] },           // layerPath, vhdHandle, options
    };

    private static readonly Type Native = typeof(ComputeStorage).Assembly.GetType("Carton.Windows.Storage.ComputeStorageNative", throwOnError: true)!;

    [Theory]
    [MemberData(nameof(Prototypes))]
    public void Binding_matches_the_documented_prototype(string entryPoint, Type[] parameters)
    {
        var method = Native.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Single(m => m.GetCustomAttribute<LibraryImportAttribute>()?.EntryPoint == entryPoint);
        var import = method.GetCustomAttribute<LibraryImportAttribute>()!;
        Assert.Equal("computestorage.dll", import.LibraryName);
        Assert.Equal(StringMarshalling.Utf16, import.StringMarshalling);
        Assert.Equal(typeof(int), method.ReturnType); // HRESULT
        Assert.Equal(parameters, method.GetParameters().Select(p => p.ParameterType));
    }

    [Fact]
    public void Every_binding_is_one_of_the_documented_seven_and_windows_only()
    {
        var bound = Native.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Select(m => m.GetCustomAttribute<LibraryImportAttribute>()?.EntryPoint).Where(e => e is not null).Order().ToList();
        Assert.Equal(Prototypes.Select(row => (string)row[0]).Order(), bound);
        Assert.Equal("windows", Native.GetCustomAttribute<System.Runtime.Versioning.SupportedOSPlatformAttribute>()?.PlatformName);
        Assert.Equal("windows", typeof(ComputeStorage).GetCustomAttribute<System.Runtime.Versioning.SupportedOSPlatformAttribute>()?.PlatformName);
    }
}
