using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Carton.Windows.JobObjects;

/// <summary>
/// kernel32.dll's job object and completion port functions, as jobapi2.h, ioapiset.h and handleapi.h declare them
/// (Microsoft Learn: https://learn.microsoft.com/windows/win32/api/jobapi2/nf-jobapi2-createjobobjectw,
/// …/nf-jobapi2-setinformationjobobject, …/nf-jobapi2-queryinformationjobobject,
/// …/nf-jobapi2-assignprocesstojobobject, …/nf-jobapi2-terminatejobobject,
/// https://learn.microsoft.com/windows/win32/api/ioapiset/nf-ioapiset-createiocompletionport,
/// …/nf-ioapiset-getqueuedcompletionstatus, …/nf-ioapiset-postqueuedcompletionstatus,
/// https://learn.microsoft.com/windows/win32/api/handleapi/nf-handleapi-closehandle). BOOL is a 4-byte int; each
/// sets the last error on failure (SetLastError = true, read with Marshal.GetLastPInvokeError).
/// </summary>
[SupportedOSPlatform("windows")]
internal static unsafe partial class JobObjectNative
{
    private const string Kernel32 = "kernel32.dll";

    /// <summary>HANDLE CreateJobObjectW(LPSECURITY_ATTRIBUTES lpJobAttributes, LPCWSTR lpName); NULL on failure.</summary>
    [LibraryImport(Kernel32, EntryPoint = "CreateJobObjectW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial nint CreateJobObjectW(nint jobAttributes, string? name);

    /// <summary>BOOL SetInformationJobObject(HANDLE hJob, JOBOBJECTINFOCLASS, LPVOID lpJobObjectInformation,
    /// DWORD cbJobObjectInformationLength).</summary>
    [LibraryImport(Kernel32, EntryPoint = "SetInformationJobObject", SetLastError = true)]
    internal static partial int SetInformationJobObject(SafeHandle job, JobObjectInfoClass infoClass, void* info, uint length);

    /// <summary>BOOL QueryInformationJobObject(HANDLE hJob, JOBOBJECTINFOCLASS, LPVOID lpJobObjectInformation,
    /// DWORD cbJobObjectInformationLength, LPDWORD lpReturnLength).</summary>
    [LibraryImport(Kernel32, EntryPoint = "QueryInformationJobObject", SetLastError = true)]
    internal static partial int QueryInformationJobObject(SafeHandle job, JobObjectInfoClass infoClass, void* info, uint length, uint* returnLength);

    /// <summary>BOOL AssignProcessToJobObject(HANDLE hJob, HANDLE hProcess).</summary>
    [LibraryImport(Kernel32, EntryPoint = "AssignProcessToJobObject", SetLastError = true)]
    internal static partial int AssignProcessToJobObject(SafeHandle job, SafeHandle process);

    /// <summary>BOOL TerminateJobObject(HANDLE hJob, UINT uExitCode).</summary>
    [LibraryImport(Kernel32, EntryPoint = "TerminateJobObject", SetLastError = true)]
    internal static partial int TerminateJobObject(SafeHandle job, uint exitCode);

    /// <summary>HANDLE CreateIoCompletionPort(HANDLE FileHandle, HANDLE ExistingCompletionPort, ULONG_PTR
    /// CompletionKey, DWORD NumberOfConcurrentThreads); NULL on failure.</summary>
    [LibraryImport(Kernel32, EntryPoint = "CreateIoCompletionPort", SetLastError = true)]
    internal static partial nint CreateIoCompletionPort(nint fileHandle, nint existingCompletionPort, nuint completionKey, uint concurrentThreads);

    /// <summary>BOOL GetQueuedCompletionStatus(HANDLE CompletionPort, LPDWORD lpNumberOfBytesTransferred,
    /// PULONG_PTR lpCompletionKey, LPOVERLAPPED *lpOverlapped, DWORD dwMilliseconds).</summary>
    [LibraryImport(Kernel32, EntryPoint = "GetQueuedCompletionStatus", SetLastError = true)]
    internal static partial int GetQueuedCompletionStatus(SafeHandle port, uint* bytes, nuint* key, nint* overlapped, uint milliseconds);

    /// <summary>BOOL PostQueuedCompletionStatus(HANDLE CompletionPort, DWORD dwNumberOfBytesTransferred, ULONG_PTR
    /// dwCompletionKey, LPOVERLAPPED lpOverlapped).</summary>
    [LibraryImport(Kernel32, EntryPoint = "PostQueuedCompletionStatus", SetLastError = true)]
    internal static partial int PostQueuedCompletionStatus(SafeHandle port, uint bytes, nuint key, nint overlapped);

    /// <summary>BOOL CloseHandle(HANDLE hObject).</summary>
    [LibraryImport(Kernel32, EntryPoint = "CloseHandle", SetLastError = true)]
    internal static partial int CloseHandle(nint handle);
}

/// <summary>A kernel32 handle (a job or a completion port), closed with CloseHandle.</summary>
[SupportedOSPlatform("windows")]
internal sealed class SafeKernelHandle : Microsoft.Win32.SafeHandles.SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>Needed by the interop marshaller.</summary>
    public SafeKernelHandle() : base(ownsHandle: true) { }

    /// <summary>Owns <paramref name="handle"/>.</summary>
    public SafeKernelHandle(nint handle) : base(ownsHandle: true) => SetHandle(handle);

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => JobObjectNative.CloseHandle(handle) != 0;
}
