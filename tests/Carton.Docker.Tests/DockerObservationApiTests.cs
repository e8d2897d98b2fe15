namespace Carton.Docker.Tests;

/// <summary>The stats and changes endpoints' JSON as dockerd shapes it, read raw (HTTP/1.0: one unchunked body).</summary>
[Collection("docker")]
public sealed class DockerObservationApiTests(DockerFixture fixture) : DockerCliTestBase(fixture)
{
    private async Task<System.Text.Json.JsonElement> GetJson(string path)
    {
        var response = await fx.RawAsync($"GET {path} HTTP/1.0\r\nHost: docker\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", response);
        var body = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        return System.Text.Json.JsonDocument.Parse(body).RootElement.Clone();
    }

    [DockerFact]
    public async Task Stats_OneFrame_HasDockersShape_WithPrecpuFilled()
    {
        var name = Unique("statsraw");
        try
        {
            var id = Ok(Debian, "run", "-d", "--name", name, "--pids-limit", "40", Image(), "sleep", "300").Trim();
            var s = await GetJson($"/v1.41/containers/{id}/stats?stream=false");
            Assert.Equal("/" + name, s.GetProperty("name").GetString());
            Assert.Equal(id, s.GetProperty("id").GetString());
            Assert.NotEqual("0001-01-01T00:00:00Z", s.GetProperty("read").GetString());
            Assert.NotEqual("0001-01-01T00:00:00Z", s.GetProperty("preread").GetString());
            var cpu = s.GetProperty("cpu_stats");
            Assert.True(cpu.GetProperty("system_cpu_usage").GetUInt64() > s.GetProperty("precpu_stats").GetProperty("system_cpu_usage").GetUInt64());
            Assert.True(cpu.GetProperty("online_cpus").GetUInt32() >= 1);
            Assert.True(cpu.GetProperty("cpu_usage").GetProperty("total_usage").GetUInt64() > 0);
            var memory = s.GetProperty("memory_stats");
            Assert.True(memory.GetProperty("usage").GetUInt64() > 0);
            Assert.True(memory.GetProperty("limit").GetUInt64() > 0);
            Assert.True(memory.GetProperty("stats").EnumerateObject().Any());
            Assert.Equal(1UL, s.GetProperty("pids_stats").GetProperty("current").GetUInt64());
            Assert.Equal(40UL, s.GetProperty("pids_stats").GetProperty("limit").GetUInt64());
            Assert.True(s.GetProperty("networks").TryGetProperty("eth0", out var eth0), s.ToString());
            Assert.True(eth0.TryGetProperty("rx_bytes", out _));

            var oneShot = await GetJson($"/v1.41/containers/{id}/stats?stream=false&one-shot=true");
            Assert.Equal("0001-01-01T00:00:00Z", oneShot.GetProperty("preread").GetString());
        }
        finally
        {
            Remove(name);
        }
    }

    [DockerFact]
    public async Task Changes_KindsAreDockers()
    {
        var name = Unique("changesraw");
        try
        {
            var id = Ok(Debian, "run", "--name", name, Image(), "sh", "-c", "echo x > /added && rm /bin/ls").Trim();
            id = Ok(Debian, "inspect", "--format", "{{.Id}}", name).Trim();
            var changes = (await GetJson($"/v1.41/containers/{id}/changes")).EnumerateArray()
                .ToDictionary(c => c.GetProperty("Path").GetString()!, c => c.GetProperty("Kind").GetInt32());
            Assert.Equal(1, changes["/added"]);
            Assert.Equal(0, changes["/bin"]);
            Assert.Equal(2, changes["/bin/ls"]);
        }
        finally
        {
            Remove(name);
        }
    }
}
