using System.Formats.Tar;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Carton.Docker.Tests;

/// <summary>
/// Images in and out through the real docker CLIs (Debian's 20.10, API 1.41, and 28.2, API 1.50): `docker save` and
/// `docker load` (GET /images/get, POST /images/load), `docker push` to the fixture's registry and to a second one that
/// asks for basic auth, after `docker login` (POST /auth), `docker history`, and `docker system prune -f` (which calls
/// POST /build/prune). Images get random names; each test removes what it made.
/// </summary>
[Collection("docker")]
public sealed class DockerImageTransferCliTests(DockerFixture fixture) : DockerCliTestBase(fixture)
{
    /// <summary>A port on the fixture namespace's loopback for the registry with auth (the fixture's is 5000).</summary>
    private const int AuthRegistryPort = 5001;

    private string BlobPath(string digest) => Path.Combine(fx.ImageRoot, "blobs", "sha256", digest["sha256:".Length..]);

    private int BlobCount() =>
        Directory.Exists(Path.Combine(fx.ImageRoot, "blobs", "sha256")) ? Directory.GetFiles(Path.Combine(fx.ImageRoot, "blobs", "sha256")).Length : 0;

    private static string Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>The image events between <paramref name="since"/> and now, as "ACTION ACTOR-ID NAME-ATTRIBUTE" lines.</summary>
    private string ImageEvents(string cli, string since) =>
        Ok(cli, "events", "--since", since, "--until", (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1).ToString(CultureInfo.InvariantCulture),
            "--filter", "type=image", "--format", "{{.Action}} {{.Actor.ID}} {{index .Actor.Attributes \"name\"}}");

    [DockerTheory, CliData(Debian), CliData(New)]
    public void Save_Rmi_Load_Run(string cli)
    {
        var name = $"carton-save-{Guid.NewGuid().ToString("N")[..6]}:v1";
        var file = Path.Combine(fx.Dir, Unique("save") + ".tar");
        try
        {
            Ok(cli, "tag", Image(), name);
            var id = Ok(cli, "image", "inspect", "--format", "{{.Id}}", name).Trim();
            var since = Now();
            Ok(cli, "save", "-o", file, name);

            // the archive as docker save writes it: manifest.json naming the config, tag and layers it holds, the
            // legacy repositories file, and the same blobs as an OCI layout
            var entries = ReadTar(file);
            using (var manifest = JsonDocument.Parse(entries["manifest.json"]))
            {
                var image = Assert.Single(manifest.RootElement.EnumerateArray());
                Assert.Equal([name], image.GetProperty("RepoTags").EnumerateArray().Select(t => t.GetString()));
                var config = image.GetProperty("Config").GetString()!;
                Assert.Equal("blobs/sha256/" + id["sha256:".Length..], config);
                Assert.True(entries.ContainsKey(config), "the config blob is in the archive");
                Assert.All(image.GetProperty("Layers").EnumerateArray(), l => Assert.True(entries.ContainsKey(l.GetString()!), $"layer {l} is in the archive"));
            }
            using (var repositories = JsonDocument.Parse(entries["repositories"]))
                Assert.True(repositories.RootElement.GetProperty(name.Split(':')[0]).TryGetProperty("v1", out _), "repositories names the tag");
            Assert.True(entries.ContainsKey("index.json") && entries.ContainsKey("oci-layout"), "an OCI layout too");
            // another reader of docker-archive agrees
            var skopeo = DockerFixture.Run("skopeo", "inspect", "--config", $"docker-archive:{file}");
            Assert.True(skopeo.Exit == 0, "skopeo inspect docker-archive: " + skopeo.Err);

            Ok(cli, "rmi", name);
            Assert.NotEqual(0, fx.Docker(cli, "image", "inspect", name).Exit);
            var load = Ok(cli, "load", "-i", file);
            Assert.Contains($"Loaded image: {name}", load);
            Assert.Equal(id, Ok(cli, "image", "inspect", "--format", "{{.Id}}", name).Trim());
            Assert.Equal("hello from the loaded image\n", Ok(cli, "run", "--rm", name, "echo", "hello from the loaded image"));

            var events = ImageEvents(cli, since);
            Assert.Contains($"save {id} {id}", events);
            Assert.Contains($"load {id} {id}", events);
        }
        finally
        {
            fx.Docker(Debian, "rmi", name);
            File.Delete(file);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void Save_OfAnUnknownImage_Is404ReferenceDoesNotExist(string cli)
    {
        var file = Path.Combine(fx.Dir, Unique("none") + ".tar");
        var r = fx.Docker(cli, "save", "-o", file, $"carton-none-{Guid.NewGuid().ToString("N")[..6]}:v1");
        Assert.NotEqual(0, r.Exit);
        Assert.Contains("reference does not exist", r.Err);
        File.Delete(file);
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void Load_OfACorruptArchive_FailsAndLeavesNoBlobOrName(string cli)
    {
        var name = $"carton-corrupt-{Guid.NewGuid().ToString("N")[..6]}";
        var file = Path.Combine(fx.Dir, Unique("corrupt") + ".tar");
        try
        {
            // a layer of its own (stored as the tar passes), then a config whose bytes do not match its name
            var archive = OciArchive(name + ":1", [Layer("only-here-" + Guid.NewGuid())], [History("layer", empty: false)], corruptConfig: true);
            File.WriteAllBytes(file, archive.Tar);
            int blobsBefore = BlobCount();
            var r = fx.Docker(cli, "load", "-i", file);
            Assert.True(r.Exit != 0, "load of a corrupt archive: " + r.Out);
            Assert.Contains("digest", r.Err + r.Out);
            Assert.False(File.Exists(BlobPath(archive.LayerDigests[0])), "the layer the failed load stored is deleted");
            Assert.Equal(blobsBefore, BlobCount());
            Assert.NotEqual(0, fx.Docker(cli, "image", "inspect", name + ":1").Exit);

            // bytes that are no tar at all
            File.WriteAllBytes(file, Encoding.ASCII.GetBytes(new string('x', 5000)));
            var garbage = fx.Docker(cli, "load", "-i", file);
            Assert.True(garbage.Exit != 0, "load of garbage: " + garbage.Out);
            Assert.Contains("archive", garbage.Err + garbage.Out);
            Assert.Equal(blobsBefore, BlobCount());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void History_ShowsEachLayerNewestFirst(string cli)
    {
        var name = $"carton-history-{Guid.NewGuid().ToString("N")[..6]}:1";
        var file = Path.Combine(fx.Dir, Unique("history") + ".tar");
        try
        {
            byte[] first = Layer("first-" + Guid.NewGuid()), second = Layer("second-" + Guid.NewGuid() + new string('y', 3000));
            var archive = OciArchive(name, [first, second],
                [History("ADD first", empty: false), History("ENV A=1", empty: true), History("ADD second", empty: false)], corruptConfig: false);
            File.WriteAllBytes(file, archive.Tar);
            Assert.Contains($"Loaded image: {name}", Ok(cli, "load", "-i", file));
            var id = Ok(cli, "image", "inspect", "--format", "{{.Id}}", name).Trim();

            var lines = Ok(cli, "history", "--no-trunc", "--human=false", "--format", "{{.ID}}|{{.CreatedBy}}|{{.Size}}", name)
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(
                [$"{id}|ADD second|{second.Length}", "<missing>|ENV A=1|0", $"<missing>|ADD first|{first.Length}"],
                lines);
            // the CLIs do not print Tags: the API's answer carries them on the top entry only
            var raw = fx.RawAsync($"GET /v1.41/images/{name}/history HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n").GetAwaiter().GetResult();
            using var doc = JsonDocument.Parse(raw[(raw.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
            Assert.Equal([name], doc.RootElement[0].GetProperty("Tags").EnumerateArray().Select(t => t.GetString()));
            Assert.Equal(JsonValueKind.Null, doc.RootElement[1].GetProperty("Tags").ValueKind);
        }
        finally
        {
            fx.Docker(Debian, "rmi", name);
            File.Delete(file);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void Push_ToTheRegistry(string cli)
    {
        var repository = $"{fx.Registry.Host}/carton-pushed-{Guid.NewGuid().ToString("N")[..6]}";
        var name = repository + ":p1";
        try
        {
            Ok(cli, "tag", Image(), name);
            var since = Now();
            var push = Ok(cli, "push", name);
            Assert.Contains($"The push refers to repository [{repository}]", push);
            var line = push.Split('\n').Single(l => l.StartsWith("p1: digest: sha256:", StringComparison.Ordinal));
            var digest = line.Split(' ')[2];

            // the registry has it under that tag, with that digest
            var inspect = fx.InNetns("skopeo", "inspect", "--tls-verify=false", $"docker://{name}");
            Assert.True(inspect.Exit == 0, "skopeo inspect: " + inspect.Err);
            using (var doc = JsonDocument.Parse(inspect.Out))
                Assert.Equal(digest, doc.RootElement.GetProperty("Digest").GetString());
            Assert.Contains($"push {name} {repository}", ImageEvents(cli, since));

            // pulled back after rmi: the same content
            Ok(cli, "rmi", name);
            Ok(cli, "pull", name);
            Assert.Contains($"{repository}@{digest}", Ok(cli, "image", "inspect", "--format", "{{json .RepoDigests}}", name));

            var missing = fx.Docker(cli, "push", repository + ":never-tagged");
            Assert.NotEqual(0, missing.Exit);
            Assert.Contains("tag does not exist", missing.Err + missing.Out);
        }
        finally
        {
            fx.Docker(Debian, "rmi", name);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void Login_ThenPush_ToARegistryWithAuth(string cli)
    {
        if (!File.Exists("/usr/bin/htpasswd")) Assert.Fail("/usr/bin/htpasswd missing: install apache2-utils");
        var dir = Path.Combine(fx.Dir, Unique("authreg"));
        Directory.CreateDirectory(dir);
        var user = "carton";
        var password = "s3cret-" + Guid.NewGuid().ToString("N")[..6];
        var htpasswd = DockerFixture.Run("htpasswd", "-Bbn", user, password);
        Assert.Equal(0, htpasswd.Exit);
        File.WriteAllText(Path.Combine(dir, "htpasswd"), htpasswd.Out);
        using var registry = new TestRegistry(Path.Combine(dir, "registry"), fx.Netns, AuthRegistryPort, Path.Combine(dir, "htpasswd"));
        var name = $"{registry.Host}/carton-auth-{Guid.NewGuid().ToString("N")[..6]}:1";
        try
        {
            Ok(cli, "tag", Image(), name);
            // no credentials: the registry refuses the push
            var anonymous = fx.Docker(cli, "push", name);
            Assert.NotEqual(0, anonymous.Exit);
            Assert.Contains("authentication", anonymous.Err + anonymous.Out);

            var wrong = fx.DockerInput(cli, "wrong-password\n", TimeSpan.FromSeconds(60), "login", "-u", user, "--password-stdin", registry.Host);
            Assert.NotEqual(0, wrong.Exit);
            Assert.Contains("401 Unauthorized", wrong.Err);
            Assert.DoesNotContain("Login Succeeded", wrong.Out);

            var login = fx.DockerInput(cli, password + "\n", TimeSpan.FromSeconds(60), "login", "-u", user, "--password-stdin", registry.Host);
            Assert.True(login.Exit == 0, "docker login: " + login.Err + login.Out);
            Assert.Contains("Login Succeeded", login.Out);

            var push = Ok(cli, "push", name);
            Assert.Contains("1: digest: sha256:", push);
            var inspect = fx.InNetns("skopeo", "inspect", "--tls-verify=false", "--creds", $"{user}:{password}", $"docker://{name}");
            Assert.True(inspect.Exit == 0, "skopeo inspect: " + inspect.Err);
        }
        finally
        {
            fx.Docker(cli, "logout", registry.Host);
            fx.Docker(Debian, "rmi", name);
        }
    }

    [DockerTheory, CliData(Debian), CliData(New)]
    public void SystemPrune_RemovesStoppedContainersAndUnusedNetworks(string cli)
    {
        var container = Unique("pruned");
        var network = Unique("prunenet");
        var image = Image();
        try
        {
            Ok(cli, "run", "--name", container, image, "true");
            Ok(cli, "network", "create", network);
            var prune = Ok(cli, "system", "prune", "-f");
            Assert.Contains("Total reclaimed space", prune);
            Assert.Empty(AllNames(cli, container));
            Assert.DoesNotContain(network, Ok(cli, "network", "ls", "--format", "{{.Name}}").Split('\n'));
        }
        finally
        {
            Remove(container);
            fx.Docker(Debian, "network", "rm", network);
        }
    }

    private static Dictionary<string, byte[]> ReadTar(string file)
    {
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var stream = File.OpenRead(file);
        using var reader = new TarReader(stream);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
            using var data = new MemoryStream();
            entry.DataStream?.CopyTo(data);
            entries[entry.Name.TrimStart('.', '/')] = data.ToArray();
        }
        return entries;
    }

    /// <summary>An uncompressed layer tar holding one file, /marker, with <paramref name="content"/>.</summary>
    private static byte[] Layer(string content)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            using var data = new MemoryStream(Encoding.UTF8.GetBytes(content));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "marker") { DataStream = data, Mode = (UnixFileMode)0b110_100_100 });
        }
        return buffer.ToArray();
    }

    private static string History(string createdBy, bool empty) =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["created"] = "2026-02-03T04:05:06Z", ["created_by"] = createdBy, ["empty_layer"] = empty });

    private static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// An OCI image layout tar of one image named <paramref name="name"/> (io.containerd.image.name), its blobs in the
    /// order oci-layout, layers, config, manifest, index.json; with <paramref name="corruptConfig"/> the config's bytes
    /// are changed after its digest was taken, so an import fails on it after it has stored the layers.
    /// </summary>
    private static (byte[] Tar, List<string> LayerDigests) OciArchive(string name, List<byte[]> layers, List<string> history, bool corruptConfig)
    {
        var layerDigests = layers.Select(Sha256).ToList();
        var config = Encoding.UTF8.GetBytes(
            $$"""{"architecture":"amd64","os":"linux","created":"2026-02-03T04:05:06Z","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":[{{string.Join(',', layerDigests.Select(d => $"\"{d}\""))}}]},"history":[{{string.Join(',', history)}}]}""");
        var configDigest = Sha256(config);
        var manifest = Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{configDigest}}","size":{{config.Length}}},"layers":[{{string.Join(',', layers.Select((l, i) => $$"""{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{{layerDigests[i]}}","size":{{l.Length}}}"""))}}]}""");
        var manifestDigest = Sha256(manifest);
        var index = Encoding.UTF8.GetBytes(
            $$$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{manifestDigest}}}","size":{{{manifest.Length}}},"annotations":{"io.containerd.image.name":"docker.io/library/{{{name}}}"}}]}""");
        if (corruptConfig) config[^2] ^= 0x01;

        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            void Add(string path, byte[] bytes)
            {
                using var data = new MemoryStream(bytes);
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, path) { DataStream = data, Mode = (UnixFileMode)0b110_100_100 });
            }
            Add("oci-layout", """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray());
            for (int i = 0; i < layers.Count; i++) Add($"blobs/sha256/{layerDigests[i][7..]}", layers[i]);
            Add($"blobs/sha256/{configDigest[7..]}", config);
            Add($"blobs/sha256/{manifestDigest[7..]}", manifest);
            Add("index.json", index);
        }
        return (buffer.ToArray(), layerDigests);
    }
}
