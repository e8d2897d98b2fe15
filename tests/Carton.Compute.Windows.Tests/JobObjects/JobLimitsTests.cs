using Carton.Windows.JobObjects;

namespace Carton.Compute.Windows.Tests.JobObjects;

/// <summary>
/// The job object arithmetic against the values Docker sets for the same flags. The expected numbers are worked out
/// by hand from moby's daemon/oci_windows.go (setResourcesInSpec: cpuMaximum = NanoCPUs / NumCPU / (1e9/10000),
/// integer division, at least 1; CPUPercent × 100) and the docker CLI's parsing (--cpus: NanoCPUs = value × 1e9
/// exactly; --memory: go-units RAMInBytes, powers of 1024), not computed by the code under test.
/// </summary>
public class JobLimitsTests
{
    [Theory]
    [InlineData("0.5", 2, 2500u)]     // 500,000,000 / 2 / 100,000
    [InlineData("0.5", 4, 1250u)]     // 500,000,000 / 4 / 100,000
    [InlineData("0.5", 64, 78u)]      // 7,812,500 / 100,000 = 78 (integer division drops .125)
    [InlineData("1.5", 4, 3750u)]
    [InlineData("2", 2, 10000u)]      // every processor
    [InlineData("0.01", 64, 1u)]      // 156,250 / 100,000 = 1
    [InlineData("0.001", 64, 1u)]     // 15,625 / 100,000 = 0: Docker's max(…, 1)
    [InlineData("3", 8, 3750u)]
    public void Cpus_flag_gives_dockers_cpu_maximum(string cpus, int hostCpus, uint expected) =>
        Assert.Equal(expected, JobLimits.CpuRateFromCpusFlag(cpus, hostCpus));

    [Theory]
    [InlineData(8_000_000_000L, 4)]   // --cpus 8 on 4 CPUs: 20,000 by the formula
    [InlineData(64_000_000_000L, 2)]  // 320,000, which Docker's uint16 cast would also have mangled
    public void Cpus_above_the_host_count_are_capped_at_every_processor(long nanoCpus, int hostCpus) =>
        // Docker refuses the flag up front ("range of CPUs is from 0.01 to N.00"); a job object refuses a rate over
        // 10,000, so Carton caps it there.
        Assert.Equal(10000u, JobLimits.CpuRateFromNanoCpus(nanoCpus, hostCpus));

    [Theory]
    [InlineData("0.0000000001")] // a tenth of a nano-CPU: the CLI says "value is too precise"
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("0")]
    public void Bad_cpus_flags_are_refused_naming_the_field(string cpus)
    {
        var e = Assert.ThrowsAny<CartonException>(() => JobLimits.CpuRateFromCpusFlag(cpus, 4));
        Assert.Equal(ErrorKind.InvalidDocument, e.Kind);
        Assert.Contains("cpus", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(1, 100u)]
    [InlineData(50, 5000u)]
    [InlineData(100, 10000u)]
    public void Cpu_percent_is_times_100(int percent, uint expected) => Assert.Equal(expected, JobLimits.CpuRateFromPercent(percent));

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void Cpu_percent_outside_1_to_100_is_refused(int percent) =>
        Assert.Equal(ErrorKind.InvalidDocument, Assert.ThrowsAny<CartonException>(() => JobLimits.CpuRateFromPercent(percent)).Kind);

    [Fact]
    public void Oci_cpu_maximum_is_already_the_unit()
    {
        Assert.Equal(2500u, JobLimits.CpuRateFromOciMaximum(2500));
        var e = Assert.ThrowsAny<CartonException>(() => JobLimits.CpuRateFromOciMaximum(10001));
        Assert.Equal("windows.resources.cpu.maximum", e.JsonPath);
        Assert.ThrowsAny<CartonException>(() => JobLimits.CpuRateFromOciMaximum(0));
    }

    [Theory]
    [InlineData(1u, 10, 1000u)]  // hcsshim's jobcontainers cpurate_test values
    [InlineData(5u, 10, 5000u)]
    [InlineData(5u, 20, 2500u)]
    [InlineData(1u, 1, 10000u)]
    [InlineData(0u, 1, 1u)]
    [InlineData(8u, 4, 10000u)]
    public void Processor_count_rate(uint count, int host, uint expected) =>
        Assert.Equal(expected, JobLimits.CpuRateFromProcessorCount(count, host));

    [Theory]
    [InlineData("512m", 536_870_912UL)]
    [InlineData("512M", 536_870_912UL)]
    [InlineData("512mb", 536_870_912UL)]
    [InlineData("1g", 1_073_741_824UL)]
    [InlineData("1.5g", 1_610_612_736UL)]
    [InlineData("100", 100UL)]
    [InlineData("64k", 65_536UL)]
    [InlineData("2 GiB", 2_147_483_648UL)]
    public void Memory_flag_is_bytes_as_docker_parses_it(string flag, ulong bytes) =>
        Assert.Equal(bytes, JobLimits.MemoryFromDockerFlag(flag));

    [Theory]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("12x")]
    [InlineData("1.g")]
    [InlineData("-5m")]
    public void Bad_memory_flags_are_refused(string flag) =>
        Assert.Equal("memory", Assert.ThrowsAny<CartonException>(() => JobLimits.MemoryFromDockerFlag(flag)).JsonPath);

    [Fact]
    public void Limits_become_the_extended_limit_flags_and_bytes()
    {
        var info = new JobLimits { JobMemoryLimit = 536_870_912, ProcessMemoryLimit = 1 << 20, ActiveProcessLimit = 7 }.ToExtendedLimits();
        // winnt.h: KILL_ON_JOB_CLOSE 0x2000 | JOB_MEMORY 0x200 | PROCESS_MEMORY 0x100 | ACTIVE_PROCESS 0x8
        Assert.Equal(0x2308u, info.BasicLimitInformation.LimitFlags);
        Assert.Equal((nuint)536_870_912, info.JobMemoryLimit);
        Assert.Equal((nuint)(1 << 20), info.ProcessMemoryLimit);
        Assert.Equal(7u, info.BasicLimitInformation.ActiveProcessLimit);

        var none = new JobLimits { KillOnClose = false }.ToExtendedLimits();
        Assert.Equal(0u, none.BasicLimitInformation.LimitFlags);
    }

    [Fact]
    public void Cpu_rate_is_a_hard_cap()
    {
        var rate = new JobLimits { CpuRate = 1250 }.ToCpuRateControl();
        Assert.Equal(0x5u, rate.ControlFlags); // ENABLE 0x1 | HARD_CAP 0x4
        Assert.Equal(1250u, rate.CpuRate);
        Assert.Equal(0u, new JobLimits().ToCpuRateControl().ControlFlags);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(10001u)]
    public void A_cpu_rate_outside_range_is_refused(uint rate)
    {
        var e = Assert.ThrowsAny<CartonException>(() => new JobLimits { CpuRate = rate }.Validate());
        Assert.Equal("CpuRate", e.JsonPath);
    }
}
