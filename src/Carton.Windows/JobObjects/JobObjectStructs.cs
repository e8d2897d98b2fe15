using System.Runtime.InteropServices;

namespace Carton.Windows.JobObjects;

// The job object structures of winnt.h, blittable, field for field in declaration order (LayoutKind.Sequential with
// natural alignment is what the C compiler does: on x64 a SIZE_T/ULONG_PTR after a DWORD is padded to 8). The
// offsets and sizes for x64 are checked in tests/Carton.Compute.Windows.Tests/JobObjects/JobObjectLayoutTests.cs
// against the documented layouts. References: Microsoft Learn, winnt.h: "JOBOBJECT_BASIC_LIMIT_INFORMATION",
// "JOBOBJECT_EXTENDED_LIMIT_INFORMATION", "IO_COUNTERS", "JOBOBJECT_BASIC_ACCOUNTING_INFORMATION",
// "JOBOBJECT_BASIC_AND_IO_ACCOUNTING_INFORMATION", "JOBOBJECT_CPU_RATE_CONTROL_INFORMATION",
// "JOBOBJECT_ASSOCIATE_COMPLETION_PORT" (https://learn.microsoft.com/windows/win32/api/winnt/).

/// <summary>JOBOBJECT_BASIC_LIMIT_INFORMATION (x64: 64 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct JobObjectBasicLimitInformation
{
    public long PerProcessUserTimeLimit;   // LARGE_INTEGER, 100 ns units
    public long PerJobUserTimeLimit;       // LARGE_INTEGER
    public uint LimitFlags;                // DWORD, JOB_OBJECT_LIMIT_*
    public nuint MinimumWorkingSetSize;    // SIZE_T
    public nuint MaximumWorkingSetSize;    // SIZE_T
    public uint ActiveProcessLimit;        // DWORD
    public nuint Affinity;                 // ULONG_PTR
    public uint PriorityClass;             // DWORD
    public uint SchedulingClass;           // DWORD
}

/// <summary>IO_COUNTERS (48 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IoCounters
{
    public ulong ReadOperationCount;
    public ulong WriteOperationCount;
    public ulong OtherOperationCount;
    public ulong ReadTransferCount;
    public ulong WriteTransferCount;
    public ulong OtherTransferCount;
}

/// <summary>JOBOBJECT_EXTENDED_LIMIT_INFORMATION (x64: 144 bytes): the basic limits plus memory limits and peaks.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct JobObjectExtendedLimitInformation
{
    public JobObjectBasicLimitInformation BasicLimitInformation;
    public IoCounters IoInfo;              // reserved by the documentation: "Reserved", zero
    public nuint ProcessMemoryLimit;       // SIZE_T, bytes of committed memory per process
    public nuint JobMemoryLimit;           // SIZE_T, bytes of committed memory for the job
    public nuint PeakProcessMemoryUsed;    // SIZE_T, out
    public nuint PeakJobMemoryUsed;        // SIZE_T, out
}

/// <summary>JOBOBJECT_BASIC_ACCOUNTING_INFORMATION (48 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct JobObjectBasicAccountingInformation
{
    public long TotalUserTime;             // LARGE_INTEGER, 100 ns units
    public long TotalKernelTime;
    public long ThisPeriodTotalUserTime;
    public long ThisPeriodTotalKernelTime;
    public uint TotalPageFaultCount;
    public uint TotalProcesses;
    public uint ActiveProcesses;
    public uint TotalTerminatedProcesses;
}

/// <summary>JOBOBJECT_BASIC_AND_IO_ACCOUNTING_INFORMATION (96 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct JobObjectBasicAndIoAccountingInformation
{
    public JobObjectBasicAccountingInformation BasicInfo;
    public IoCounters IoInfo;
}

/// <summary>JOBOBJECT_CPU_RATE_CONTROL_INFORMATION (8 bytes). The second DWORD is a union (CpuRate, Weight, or
/// MinRate/MaxRate as two WORDs); Carton uses CpuRate only, with JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct JobObjectCpuRateControlInformation
{
    public uint ControlFlags;
    public uint CpuRate;
}

/// <summary>JOBOBJECT_ASSOCIATE_COMPLETION_PORT (x64: 16 bytes): the key packets carry, and the port.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct JobObjectAssociateCompletionPort
{
    public nuint CompletionKey;            // PVOID
    public nint CompletionPort;            // HANDLE
}

/// <summary>JOBOBJECTINFOCLASS values used here (winnt.h).</summary>
internal enum JobObjectInfoClass
{
    BasicAccountingInformation = 1,
    AssociateCompletionPortInformation = 7,
    BasicAndIoAccountingInformation = 8,
    ExtendedLimitInformation = 9,
    CpuRateControlInformation = 15,
}

/// <summary>JOB_OBJECT_LIMIT_* flags of JOBOBJECT_BASIC_LIMIT_INFORMATION.LimitFlags (winnt.h).</summary>
[Flags]
internal enum JobLimitFlags : uint
{
    None = 0,
    ActiveProcess = 0x0000_0008,
    ProcessMemory = 0x0000_0100,
    JobMemory = 0x0000_0200,
    DieOnUnhandledException = 0x0000_0400,
    KillOnJobClose = 0x0000_2000,
}

/// <summary>JOB_OBJECT_CPU_RATE_CONTROL_* flags (winnt.h).</summary>
[Flags]
internal enum CpuRateControlFlags : uint
{
    None = 0,
    Enable = 0x1,
    WeightBased = 0x2,
    HardCap = 0x4,
    Notify = 0x8,
    MinMaxRate = 0x10,
}
