using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Carton.Windows.JobObjects;

namespace Carton.Compute.Windows.Tests.JobObjects;

/// <summary>
/// The job object structures against winnt.h's layouts on x64 (sizes and offsets worked out from the documented
/// field types: LARGE_INTEGER 8, DWORD 4, SIZE_T/ULONG_PTR/PVOID/HANDLE 8, natural alignment). This host is x64 Linux,
/// which lays out a sequential blittable struct as the Windows x64 C compiler does; on another pointer size the test
/// says so and checks nothing.
/// </summary>
public class JobObjectLayoutTests
{
    private static bool X64 => IntPtr.Size == 8;

    [Fact]
    public void Sizes_match_winnt_h_on_x64()
    {
        Assert.True(X64, "these layouts are the x64 ones");
        Assert.Equal(64, Unsafe.SizeOf<JobObjectBasicLimitInformation>());
        Assert.Equal(48, Unsafe.SizeOf<IoCounters>());
        Assert.Equal(144, Unsafe.SizeOf<JobObjectExtendedLimitInformation>());
        Assert.Equal(48, Unsafe.SizeOf<JobObjectBasicAccountingInformation>());
        Assert.Equal(96, Unsafe.SizeOf<JobObjectBasicAndIoAccountingInformation>());
        Assert.Equal(8, Unsafe.SizeOf<JobObjectCpuRateControlInformation>());
        Assert.Equal(16, Unsafe.SizeOf<JobObjectAssociateCompletionPort>());
        // Marshal agrees (the structs are blittable: no marshalling copy changes the layout).
        Assert.Equal(144, Marshal.SizeOf<JobObjectExtendedLimitInformation>());
        Assert.Equal(96, Marshal.SizeOf<JobObjectBasicAndIoAccountingInformation>());
    }

    [Theory]
    [InlineData("PerProcessUserTimeLimit", 0)]
    [InlineData("PerJobUserTimeLimit", 8)]
    [InlineData("LimitFlags", 16)]
    [InlineData("MinimumWorkingSetSize", 24)] // padded after the DWORD
    [InlineData("MaximumWorkingSetSize", 32)]
    [InlineData("ActiveProcessLimit", 40)]
    [InlineData("Affinity", 48)]              // padded after the DWORD
    [InlineData("PriorityClass", 56)]
    [InlineData("SchedulingClass", 60)]
    public void Basic_limit_offsets(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<JobObjectBasicLimitInformation>(field));

    [Theory]
    [InlineData("BasicLimitInformation", 0)]
    [InlineData("IoInfo", 64)]
    [InlineData("ProcessMemoryLimit", 112)]
    [InlineData("JobMemoryLimit", 120)]
    [InlineData("PeakProcessMemoryUsed", 128)]
    [InlineData("PeakJobMemoryUsed", 136)]
    public void Extended_limit_offsets(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<JobObjectExtendedLimitInformation>(field));

    [Theory]
    [InlineData("TotalUserTime", 0)]
    [InlineData("TotalKernelTime", 8)]
    [InlineData("ThisPeriodTotalUserTime", 16)]
    [InlineData("ThisPeriodTotalKernelTime", 24)]
    [InlineData("TotalPageFaultCount", 32)]
    [InlineData("TotalProcesses", 36)]
    [InlineData("ActiveProcesses", 40)]
    [InlineData("TotalTerminatedProcesses", 44)]
    public void Basic_accounting_offsets(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<JobObjectBasicAccountingInformation>(field));

    [Fact]
    public void Io_counters_and_the_small_structs()
    {
        Assert.Equal(40, (int)Marshal.OffsetOf<IoCounters>("OtherTransferCount"));
        Assert.Equal(48, (int)Marshal.OffsetOf<JobObjectBasicAndIoAccountingInformation>("IoInfo"));
        Assert.Equal(4, (int)Marshal.OffsetOf<JobObjectCpuRateControlInformation>("CpuRate"));
        Assert.Equal(8, (int)Marshal.OffsetOf<JobObjectAssociateCompletionPort>("CompletionPort"));
    }

    [Fact]
    public void Info_classes_and_messages_have_winnt_h_values()
    {
        Assert.Equal(8, (int)JobObjectInfoClass.BasicAndIoAccountingInformation);
        Assert.Equal(9, (int)JobObjectInfoClass.ExtendedLimitInformation);
        Assert.Equal(7, (int)JobObjectInfoClass.AssociateCompletionPortInformation);
        Assert.Equal(15, (int)JobObjectInfoClass.CpuRateControlInformation);
        Assert.Equal(4u, (uint)JobMessage.ActiveProcessZero);
        Assert.Equal(6u, (uint)JobMessage.NewProcess);
        Assert.Equal(7u, (uint)JobMessage.ExitProcess);
        Assert.Equal(10u, (uint)JobMessage.JobMemoryLimit);
    }
}
