using System.Diagnostics;
using Carton.Images.Linux.Tests.Support;
using Carton.Linux.IO;

namespace Carton.Images.Linux.Tests;

/// <summary>
/// The rootless path for real: the helper process runs in a new user namespace whose root is host uid 100000
/// (0..65535 → 100000..165535, the map written by this test as host root, as newuidmap would for a user), with its
/// own mount namespace. In there it unpacks layers into a rootless store (user.overlay.* markers, no device nodes,
/// ids as the namespace maps them), prepares a snapshot and mounts it: kernel overlayfs in a user namespace with
/// userxattr.
/// </summary>
public sealed class RootlessTests
{
    private const int HostBase = 100000;

    [Fact]
    public void RootlessStore_UnpackAndOverlayMountInAUserNamespace()
    {
        using var dir = new TestDirectory("rootless");
        var store = dir.Sub("store");
        var merged = dir.Sub("merged");
        var home = dir.Sub("home");
        foreach (var d in new[] { store, merged, home })
        {
            Directory.CreateDirectory(d);
            Assert.Equal(0, TreeModel.Run("chown", $"{HostBase}:{HostBase}", d).Code);
        }
        var first = new TarBuilder()
            .Dir("./").Dir("etc").File("etc/keep", "keep").File("etc/gone", "gone").File("home-file", "u", uid: 1000, gid: 1000)
            .Dir("bin").File("bin/tool", "tool").Dir("dev").CharDevice("dev/null", 1, 3).Fifo("dev/fifo")
            .Build();
        var second = new TarBuilder()
            .Dir("./").Dir("etc").Whiteout("etc/gone").Dir("bin").Opaque("bin").File("bin/new", "new", xattrs: new() { ["SCHILY.xattr.user.note"] = "n" })
            .Build();
        var tars = new List<string>();
        foreach (var (tar, i) in new[] { (first, 0), (second, 1) })
        {
            tars.Add(dir.Sub($"layer{i}.tar"));
            File.WriteAllBytes(tars[^1], tar);
        }

        var (code, output) = RunInUserNamespace(home, ["rootless", store, merged, .. tars]);
        Assert.True(code == 0, output);
        Assert.Contains("mounted LayerFds", output, StringComparison.Ordinal);
        var entries = new List<string>();
        foreach (var line in output.Split('\n'))
            if (line.StartsWith("entry ", StringComparison.Ordinal)) entries.Add(line[6..]);
        Assert.Equal(["bin", "bin/new", "dev", "dev/fifo", "etc", "etc/keep", "home-file"], entries);
        Assert.Contains("warning: entry \"dev/null\": CharacterDevice skipped", output, StringComparison.Ordinal);

        // What the namespace wrote, seen from the host: ids shifted by the kernel's mapping, the overlay markers in
        // the user.* namespace, whiteouts as 0/0 devices made by the namespace's root.
        var layers = Directory.GetDirectories(store, "sha256-*");
        Assert.Equal(2, layers.Length);
        // The one layer directory that holds a path (each path below is in exactly one layer).
        string In(string file) => layers.Select(l => Path.Combine(l, "fs", file)).Single(p => FileStatus.OfPath(p, followSymlinks: false) is not null);
        var homeFile = FileStatus.OfPath(In("home-file"))!.Value;
        Assert.Equal((HostBase + 1000u, HostBase + 1000u), (homeFile.Uid, homeFile.Gid));
        Assert.Equal((uint)HostBase, FileStatus.OfPath(In("etc/keep"))!.Value.Uid);
        var gone = layers.Select(l => FileStatus.OfPath(Path.Combine(l, "fs/etc/gone"), followSymlinks: false))
            .Single(st => st is { IsCharacterDevice: true })!.Value;
        Assert.Equal((0ul, (uint)HostBase), (gone.Rdev, gone.Uid));
        var opaqueBin = layers.Select(l => Path.Combine(l, "fs/bin")).Single(p => File.Exists(Path.Combine(p, "new")));
        Assert.Equal("y"u8.ToArray(), ExtendedAttributes.Get(opaqueBin, "user.overlay.opaque"));
        Assert.Null(ExtendedAttributes.Get(opaqueBin, "trusted.overlay.opaque"));
        Assert.DoesNotContain(layers, l => FileStatus.OfPath(Path.Combine(l, "fs/dev/null"), false) is not null);
        var written = Path.Combine(store, ".active/c1/upper/written");
        Assert.Equal("by the container", File.ReadAllText(written));
        Assert.Equal((uint)HostBase, FileStatus.OfPath(written)!.Value.Uid);
    }

    /// <summary>
    /// Runs the test assembly's helper (Program.cs) as root of a new user namespace (and in its mount namespace). A
    /// holder (`unshare --user --mount`, waiting on its stdin) makes the namespaces; this process, host root, writes
    /// the maps (util-linux's --map-users would call newuidmap, which wants /etc/subuid ranges for root); then
    /// nsenter joins both and becomes the namespace's uid/gid 0 before it execs the helper, so the helper starts as
    /// root there, with its capabilities. The holder's own shell lost its capabilities at exec (its uid was not mapped
    /// yet): it only waits.
    /// </summary>
    private static (int Code, string Output) RunInUserNamespace(string home, string[] helperArgs)
    {
        var holderInfo = new ProcessStartInfo("unshare") { RedirectStandardInput = true };
        foreach (var a in new[] { "--user", "--mount", "--", "sh", "-c", "read done" }) holderInfo.ArgumentList.Add(a);
        using var holder = Process.Start(holderInfo)!;
        try
        {
            var ours = new FileInfo("/proc/self/ns/user").LinkTarget;
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (new FileInfo($"/proc/{holder.Id}/ns/user").LinkTarget == ours)
            {
                Assert.True(DateTime.UtcNow < deadline, "unshare did not make its user namespace");
                Thread.Sleep(10);
            }
            foreach (var map in new[] { "uid_map", "gid_map" })
            {
                // One write(2) of the whole map (File.WriteAllText's open with O_TRUNC is refused by these files).
                int fd = FileDescriptor.Open($"/proc/{holder.Id}/{map}", OpenFlags.WriteOnly, $"open {map}");
                try { FileDescriptor.WriteAll(fd, System.Text.Encoding.ASCII.GetBytes($"0 {HostBase} 65536\n"), $"write {map}"); }
                finally { FileDescriptor.Close(fd); }
            }

            var psi = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "--target", holder.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--user", "--mount", "--",
                         "dotnet", Path.Combine(AppContext.BaseDirectory, "Carton.Images.Linux.Tests.dll") })
                psi.ArgumentList.Add(a);
            foreach (var a in helperArgs) psi.ArgumentList.Add(a);
            psi.Environment["HOME"] = home;
            psi.Environment["DOTNET_CLI_HOME"] = home;
            psi.Environment["TMPDIR"] = home;
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(60_000))
            {
                p.Kill(entireProcessTree: true);
                return (-1, "timed out");
            }
            return (p.ExitCode, stdout.Result + stderr.Result);
        }
        finally
        {
            holder.StandardInput.Close();
            if (!holder.WaitForExit(5000)) holder.Kill();
        }
    }
}
