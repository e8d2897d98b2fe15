using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Carton.EngineTests.Infrastructure;

/// <summary>
/// Writes an image as a `docker save` archive (manifest.json, the config, one uncompressed layer), the one format
/// `docker load`, `podman load` and `ctr images import` all read. The layer is a busybox-static rootfs: /bin/busybox
/// and its applets as symlinks, /etc/passwd and /etc/group with root and nobody, and the usual empty directories.
/// Nothing is pulled: the machine has no registry access, and the engines must not try (the tests pass --pull never).
/// </summary>
public static class ImageArchive
{
    /// <summary>The applets the scenarios use, linked to busybox.</summary>
    private static readonly string[] Applets =
    [
        "sh", "cat", "echo", "sleep", "id", "ls", "hostname", "pwd", "env", "touch", "tty", "ip", "ifconfig", "grep",
        "wc", "head", "tail", "dd", "true", "false", "kill", "ps", "mkdir", "rm", "stat", "printf", "test", "ping",
        "nc", "wget", "seq", "yes", "sync", "date", "uname", "mount", "readlink", "cut", "tr",
    ];

    /// <param name="path">the archive to write.</param>
    /// <param name="repoTag">the image's name, e.g. "carton.test/busybox:1".</param>
    /// <param name="cmd">the image's Cmd.</param>
    /// <param name="entrypoint">the image's Entrypoint, if any.</param>
    public static void Write(string path, string repoTag, string[] cmd, string[]? entrypoint = null)
    {
        var layer = Layer();
        var diffId = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(layer));
        var config = new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["created"] = "2026-01-01T00:00:00Z",
            ["config"] = new JsonObject
            {
                ["Env"] = new JsonArray("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                ["Cmd"] = new JsonArray([.. cmd.Select(c => (JsonNode)c)]),
                ["Entrypoint"] = entrypoint is null ? null : new JsonArray([.. entrypoint.Select(c => (JsonNode)c)]),
                ["WorkingDir"] = "/",
            },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(diffId) },
            ["history"] = new JsonArray(new JsonObject { ["created"] = "2026-01-01T00:00:00Z", ["created_by"] = "carton engine tests" }),
        };
        var configBytes = JsonSerializer.SerializeToUtf8Bytes(config);
        var configName = Convert.ToHexStringLower(SHA256.HashData(configBytes)) + ".json";
        var layerName = diffId["sha256:".Length..] + "/layer.tar";
        var manifest = new JsonArray(new JsonObject
        {
            ["Config"] = configName,
            ["RepoTags"] = new JsonArray(repoTag),
            ["Layers"] = new JsonArray(layerName),
        });

        using var file = File.Create(path);
        using var tar = new TarWriter(file, TarEntryFormat.Pax);
        AddFile(tar, configName, configBytes);
        AddDirectory(tar, diffId["sha256:".Length..] + "/");
        AddFile(tar, layerName, layer);
        AddFile(tar, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(manifest));
    }

    private static byte[] Layer()
    {
        var busybox = "/bin/busybox";
        if (!File.Exists(busybox)) throw new InvalidOperationException("/bin/busybox (busybox-static) is needed to build the test image");
        using var ms = new MemoryStream();
        using (var tar = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var d in new[] { "bin/", "etc/", "tmp/", "proc/", "sys/", "dev/", "root/", "var/", "run/", "home/" })
                AddDirectory(tar, d, d == "tmp/" ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                    UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead |
                    UnixFileMode.OtherWrite | UnixFileMode.OtherExecute | UnixFileMode.StickyBit : null);
            AddFile(tar, "bin/busybox", File.ReadAllBytes(busybox), executable: true);
            foreach (var a in Applets)
                tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + a) { LinkName = "busybox", ModificationTime = Epoch });
            AddFile(tar, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/sh\n"u8.ToArray());
            AddFile(tar, "etc/group", "root:x:0:\nnogroup:x:65534:\n"u8.ToArray());
        }
        return ms.ToArray();
    }

    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static void AddDirectory(TarWriter tar, string name, UnixFileMode? mode = null) =>
        tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name)
        {
            Mode = mode ?? (UnixFileMode)0x1ed /* 0755 */,
            ModificationTime = Epoch,
        });

    private static void AddFile(TarWriter tar, string name, byte[] content, bool executable = false) =>
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = (UnixFileMode)(executable ? 0x1ed : 0x1a4) /* 0755 : 0644 */,
            ModificationTime = Epoch,
            DataStream = new MemoryStream(content),
        });
}
