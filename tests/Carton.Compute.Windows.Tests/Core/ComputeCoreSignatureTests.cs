using System.Reflection;
using System.Runtime.InteropServices;
using Carton.Windows.Hcs;

namespace Carton.Compute.Windows.Tests.Core;

/// <summary>
/// The computecore.dll declarations against Microsoft's prototypes, written out here by hand from the reference pages
/// (https://learn.microsoft.com/virtualization/api/hcs/reference/&lt;function&gt;): entry point, DLL, UTF-16 strings, and
/// the shape of every parameter. Nothing calls Windows; this is as far as a binding can be checked on Linux.
/// Shapes: H a handle (SafeHandle), P a pointer-sized value (handle being closed, context, callback, descriptor,
/// PWSTR out), S a PCWSTR, U a DWORD, T a struct; "out" an output parameter.
/// </summary>
public sealed class ComputeCoreSignatureTests
{
    public static TheoryData<string, string, string> Prototypes => new()
    {
        // HCS_OPERATION HcsCreateOperation(void* context, HCS_OPERATION_COMPLETION callback)
        { "HcsCreateOperation", "H", "P P" },
        { "HcsCloseOperation", "void", "P" },
        { "HcsSetOperationCallback", "HRESULT", "H P P" },
        { "HcsCancelOperation", "HRESULT", "H" },
        { "HcsGetOperationResult", "HRESULT", "H out:P" },
        { "HcsGetOperationResultAndProcessInfo", "HRESULT", "H out:T out:P" },
        { "HcsWaitForOperationResult", "HRESULT", "H U out:P" },
        { "HcsWaitForOperationResultAndProcessInfo", "HRESULT", "H U out:T out:P" },
        // HRESULT HcsCreateComputeSystem(PCWSTR id, PCWSTR configuration, HCS_OPERATION, const SECURITY_DESCRIPTOR*, HCS_SYSTEM*)
        { "HcsCreateComputeSystem", "HRESULT", "S S H P out:H" },
        { "HcsOpenComputeSystem", "HRESULT", "S U out:H" },
        { "HcsCloseComputeSystem", "void", "P" },
        { "HcsEnumerateComputeSystems", "HRESULT", "S H" },
        { "HcsStartComputeSystem", "HRESULT", "H H S" },
        { "HcsShutDownComputeSystem", "HRESULT", "H H S" },
        { "HcsTerminateComputeSystem", "HRESULT", "H H S" },
        { "HcsPauseComputeSystem", "HRESULT", "H H S" },
        { "HcsResumeComputeSystem", "HRESULT", "H H S" },
        { "HcsGetComputeSystemProperties", "HRESULT", "H H S" },
        // HRESULT HcsModifyComputeSystem(HCS_SYSTEM, HCS_OPERATION, PCWSTR configuration, HANDLE identity)
        { "HcsModifyComputeSystem", "HRESULT", "H H S P" },
        // HRESULT HcsSetComputeSystemCallback(HCS_SYSTEM, HCS_EVENT_OPTIONS, const void* context, HCS_EVENT_CALLBACK)
        { "HcsSetComputeSystemCallback", "HRESULT", "H U P P" },
        { "HcsCreateProcess", "HRESULT", "H S H P out:H" },
        { "HcsCloseProcess", "void", "P" },
        { "HcsGetProcessInfo", "HRESULT", "H H" },
        { "HcsSignalProcess", "HRESULT", "H H S" },
        { "HcsTerminateProcess", "HRESULT", "H H S" },
        { "HcsGetProcessProperties", "HRESULT", "H H S" },
        { "HcsModifyProcess", "HRESULT", "H H S" },
        { "HcsSetProcessCallback", "HRESULT", "H U P P" },
    };

    private static readonly Type Native = typeof(ComputeCore).Assembly.GetType("Carton.Windows.Hcs.ComputeCoreNative", throwOnError: true)!;

    [Theory]
    [MemberData(nameof(Prototypes))]
    public void Each_function_is_declared_as_Microsoft_documents_it(string name, string returns, string parameters)
    {
        var method = Native.GetMethod(name, BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            ?? throw new Xunit.Sdk.XunitException($"{name} is not declared");
        var import = method.GetCustomAttribute<LibraryImportAttribute>() ?? throw new Xunit.Sdk.XunitException($"{name} is not a LibraryImport");
        Assert.Equal("computecore.dll", import.LibraryName);
        Assert.Equal(name, import.EntryPoint ?? method.Name);
        if (parameters.Contains('S')) Assert.Equal(StringMarshalling.Utf16, import.StringMarshalling);
        Assert.Equal(returns, Shape(method.ReturnType));
        Assert.Equal(parameters, string.Join(" ", method.GetParameters().Select(p => (p.IsOut ? "out:" : "") + Shape(p.ParameterType))));
    }

    [Fact]
    public void Every_declared_computecore_function_is_in_the_table()
    {
        var declared = Native.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Where(m => m.GetCustomAttribute<LibraryImportAttribute>()?.LibraryName == "computecore.dll").Select(m => m.Name).Order();
        Assert.Equal(Prototypes.Select(row => (string)row[0]).Order(), declared);
    }

    [Fact]
    public void Result_strings_are_freed_with_kernel32_LocalFree()
    {
        var localFree = Native.GetMethod("LocalFree", BindingFlags.Static | BindingFlags.NonPublic)!;
        Assert.Equal("kernel32.dll", localFree.GetCustomAttribute<LibraryImportAttribute>()!.LibraryName);
        Assert.Equal("P", Shape(localFree.ReturnType));
    }

    [Fact]
    public void The_native_structs_have_the_documented_layout()
    {
        // HCS_PROCESS_INFORMATION: DWORD ProcessId; DWORD Reserved; HANDLE StdInput, StdOutput, StdError (x64: 32 bytes).
        var info = Native.GetNestedType("HcsProcessInformationNative", BindingFlags.NonPublic)!;
        Assert.Equal(["ProcessId", "Reserved", "StdInput", "StdOutput", "StdError"], info.GetFields().Select(f => f.Name));
        Assert.Equal(8 + 3 * IntPtr.Size, Marshal.SizeOf(info));
        Assert.Equal(8, (int)Marshal.OffsetOf(info, "StdInput"));
        // HCS_EVENT: HCS_EVENT_TYPE Type; PCWSTR EventData; HCS_OPERATION Operation.
        var e = Native.GetNestedType("HcsEventNative", BindingFlags.NonPublic)!;
        Assert.Equal(["Type", "EventData", "Operation"], e.GetFields().Select(f => f.Name));
        Assert.Equal(IntPtr.Size, (int)Marshal.OffsetOf(e, "EventData"));
    }

    private static string Shape(Type t)
    {
        if (t.IsByRef) t = t.GetElementType()!;
        if (t == typeof(void)) return "void";
        if (t == typeof(int)) return "HRESULT";
        if (t == typeof(string)) return "S";
        if (t == typeof(uint)) return "U";
        if (typeof(SafeHandle).IsAssignableFrom(t)) return "H";
        if (t == typeof(nint) || t.IsPointer || t.IsFunctionPointer || t.IsUnmanagedFunctionPointer) return "P";
        if (t.IsValueType) return "T";
        return t.Name;
    }
}
