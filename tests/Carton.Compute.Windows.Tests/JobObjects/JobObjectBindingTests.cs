using System.Reflection;
using System.Runtime.InteropServices;
using Carton.Windows.JobObjects;

namespace Carton.Compute.Windows.Tests.JobObjects;

/// <summary>kernel32's job object bindings against the prototypes of jobapi2.h, ioapiset.h and handleapi.h (written
/// out here by hand from Microsoft Learn: BOOL as int, HANDLE as nint or SafeHandle, DWORD as uint, ULONG_PTR as
/// nuint, pointers as pointers), each setting the last error.</summary>
public class JobObjectBindingTests
{
    public static TheoryData<string, Type, Type[]> Prototypes => new()
    {
        { "CreateJobObjectW", typeof(nint), [typeof(nint), typeof(string)] },
        { "SetInformationJobObject", typeof(int), [typeof(SafeHandle), typeof(int), typeof(void*), typeof(uint)] },
        { "QueryInformationJobObject", typeof(int), [typeof(SafeHandle), typeof(int), typeof(void*), typeof(uint), typeof(uint*)] },
        { "AssignProcessToJobObject", typeof(int), [typeof(SafeHandle), typeof(SafeHandle)] },
        { "TerminateJobObject", typeof(int), [typeof(SafeHandle), typeof(uint)] },
        { "CreateIoCompletionPort", typeof(nint), [typeof(nint), typeof(nint), typeof(nuint), typeof(uint)] },
        { "GetQueuedCompletionStatus", typeof(int), [typeof(SafeHandle), typeof(uint*), typeof(nuint*), typeof(nint*), typeof(uint)] },
        { "PostQueuedCompletionStatus", typeof(int), [typeof(SafeHandle), typeof(uint), typeof(nuint), typeof(nint)] },
        { "CloseHandle", typeof(int), [typeof(nint)] },
    };

    private static readonly Type Native = typeof(JobObject).Assembly.GetType("Carton.Windows.JobObjects.JobObjectNative", throwOnError: true)!;

    [Theory]
    [MemberData(nameof(Prototypes))]
    public void Binding_matches_the_documented_prototype(string entryPoint, Type returns, Type[] parameters)
    {
        var method = Native.GetMethods(BindingFlags.Static | BindingFlags.NonPublic)
            .Single(m => m.GetCustomAttribute<LibraryImportAttribute>()?.EntryPoint == entryPoint);
        var import = method.GetCustomAttribute<LibraryImportAttribute>()!;
        Assert.Equal("kernel32.dll", import.LibraryName);
        Assert.True(import.SetLastError, $"{entryPoint} reports failure through GetLastError");
        Assert.Equal(returns, method.ReturnType);
        // JOBOBJECTINFOCLASS is a C enum (an int): the binding's enum must be int-sized.
        Assert.Equal(parameters, method.GetParameters().Select(p => p.ParameterType.IsEnum ? Enum.GetUnderlyingType(p.ParameterType) : p.ParameterType));
    }
}
