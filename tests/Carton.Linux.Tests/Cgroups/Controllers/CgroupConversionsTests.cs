using Carton.Linux.Cgroups;
using Carton.Linux.Cgroups.Controllers;

namespace Carton.Linux.Tests.Cgroups.Controllers;

/// <summary>runc's v1 ↔ v2 conversions, checked against the values runc's own tests and docs use.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class CgroupConversionsTests
{
    [Theory]
    [InlineData(0UL, 0UL)]       // unset stays unset
    [InlineData(2UL, 1UL)]
    [InlineData(1024UL, 39UL)]   // docker's default shares
    [InlineData(512UL, 20UL)]
    [InlineData(262144UL, 10000UL)]
    [InlineData(1UL, 1UL)]       // clamped to 2 first (the v1 kernel's minimum)
    [InlineData(1000000UL, 10000UL)]
    public void SharesToWeight(ulong shares, ulong weight) => Assert.Equal(weight, CpuController.CpuSharesToWeight(shares));

    [Theory]
    [InlineData(0UL, 0UL)]
    [InlineData(1UL, 2UL)]
    [InlineData(39UL, 999UL)]    // smallest shares value that maps to 39
    [InlineData(100UL, 2598UL)]
    [InlineData(10000UL, 262144UL)]
    public void WeightToShares(ulong weight, ulong shares) => Assert.Equal(shares, CpuController.CpuWeightToShares(weight));

    [Fact]
    public void WeightToSharesRoundTripsEveryWeight()
    {
        for (ulong w = 1; w <= 10000; w++)
            Assert.Equal(w, CpuController.CpuSharesToWeight(CpuController.CpuWeightToShares(w)));
    }

    [Theory]
    [InlineData(0, 0UL)]
    [InlineData(10, 1UL)]
    [InlineData(100, 910UL)]
    [InlineData(500, 4950UL)]
    [InlineData(1000, 10000UL)]
    public void BlkioWeightToIoWeight(ushort blkio, ulong io) => Assert.Equal(io, IoController.BlkioWeightToIoWeight(blkio));

    [Fact]
    public void IoWeightToBlkioWeightInvertsEveryBlkioWeight()
    {
        Assert.Equal(0UL, IoController.IoWeightToBlkioWeight(0));
        Assert.Equal(10UL, IoController.IoWeightToBlkioWeight(1));
        Assert.Equal(1000UL, IoController.IoWeightToBlkioWeight(10000));
        Assert.Equal(11UL, IoController.IoWeightToBlkioWeight(2)); // between steps: rounds up
        for (ulong b = 10; b <= 1000; b++)
            Assert.Equal(b, IoController.IoWeightToBlkioWeight(IoController.BlkioWeightToIoWeight(b)));
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData(0L, 1024L, null)]                 // swap unset: nothing to write
    [InlineData(-1L, 1024L, "max")]
    [InlineData(null, -1L, "max")]                // unlimited memory, swap unset: both unlimited
    [InlineData(2048L, -1L, "2048")]              // unlimited memory: swap as is
    [InlineData(3072L, 1024L, "2048")]            // memory+swap minus memory
    [InlineData(1024L, 1024L, "0")]               // equal: no swap at all
    public void MemorySwapToV2(long? swap, long? limit, string? expected) =>
        Assert.Equal(expected, MemoryController.MemorySwapToV2(swap, limit));

    [Fact]
    public void MemorySwapToV2RejectsWhatHasNoV2Meaning()
    {
        var below = Assert.Throws<CgroupException>(() => MemoryController.MemorySwapToV2(512, 1024));
        Assert.Equal("linux.resources.memory.swap: memory+swap limit 512 is below linux.resources.memory.limit 1024", below.Message);
        var noLimit = Assert.Throws<CgroupException>(() => MemoryController.MemorySwapToV2(1024, null));
        Assert.StartsWith("linux.resources.memory.swap: cannot convert", noLimit.Message);
        Assert.Throws<CgroupException>(() => MemoryController.MemorySwapToV2(1024, -5));
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData(0L, 0UL, null)]
    [InlineData(50000L, 100000UL, "50000 100000")]
    [InlineData(50000L, null, "50000 100000")]   // kernel default period
    [InlineData(-1L, 250000UL, "max 250000")]
    [InlineData(null, 250000UL, "max 250000")]
    [InlineData(-1L, null, "max 100000")]
    public void CpuMaxV2(long? quota, ulong? period, string? expected) => Assert.Equal(expected, CpuController.CpuMaxV2(quota, period));

    [Theory]
    [InlineData(null, null)]
    [InlineData(0L, null)]
    [InlineData(-1L, "-1")]
    [InlineData(-100L, "-1")]
    [InlineData(50000L, "50000")]
    public void CfsQuotaV1(long? quota, string? expected) => Assert.Equal(expected, CpuController.CfsQuotaV1(quota));

    [Theory]
    [InlineData(null, null)]
    [InlineData(0L, null)]
    [InlineData(-1L, "max")]
    [InlineData(67108864L, "67108864")]
    public void MemoryV2(long? value, string? expected) => Assert.Equal(expected, MemoryController.MemoryV2(value));

    [Theory]
    [InlineData(20L, "20")]
    [InlineData(0L, "max")]
    [InlineData(-1L, "max")]
    public void PidsMax(long limit, string expected) => Assert.Equal(expected, PidsController.PidsMax(limit));
}
