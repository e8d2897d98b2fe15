using System.Text.Json;
using System.Text.Json.Nodes;

namespace Carton.Oci.Tests;

public class RoundTripTests
{
    private const string Full = """
    {
      "ociVersion": "1.3.0",
      "x-top": {"a": [1, 2, {"b": null}]},
      "process": {
        "terminal": false,
        "consoleSize": {"height": 24, "width": 80},
        "user": {"uid": 1000, "gid": 1000, "umask": 18, "additionalGids": [5, 6], "x-user": true},
        "args": ["/bin/sh", "-c", "true"],
        "env": ["A=b"],
        "cwd": "/",
        "capabilities": {"bounding": ["CAP_KILL"], "inheritable": [], "x-caps": 1},
        "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 18446744073709551615, "soft": 1024}],
        "noNewPrivileges": true,
        "oomScoreAdj": -17,
        "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 4},
        "scheduler": {"policy": "SCHED_DEADLINE", "runtime": 100, "deadline": 200, "period": 300, "flags": ["SCHED_FLAG_RECLAIM"]},
        "execCPUAffinity": {"initial": "0-3", "final": "7"}
      },
      "root": {"path": "rootfs", "readonly": false, "x-root": "k"},
      "hostname": "h",
      "domainname": "d",
      "mounts": [{"destination": "/m", "type": "bind", "source": "/s", "options": ["rbind", "idmap"],
                  "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
                  "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}], "x-mount": [1]}],
      "hooks": {"createRuntime": [{"path": "/bin/hook", "args": ["hook", "x"], "env": ["K=v"], "timeout": 5}], "x-hooks": {}},
      "annotations": {"a.b": "c"},
      "linux": {
        "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
        "timeOffsets": {"monotonic": {"secs": -5, "nanosecs": 7}},
        "sysctl": {"net.ipv4.ip_forward": "1"},
        "resources": {
          "devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}],
          "memory": {"limit": 1048576, "swap": -1, "swappiness": 10, "disableOOMKiller": true, "checkBeforeUpdate": true},
          "cpu": {"shares": 1024, "quota": -1, "burst": 5, "period": 100000, "cpus": "0-1", "mems": "0", "idle": 1},
          "pids": {"limit": -1},
          "blockIO": {"weight": 500, "weightDevice": [{"major": 8, "minor": 0, "weight": 300}],
                      "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1000}]},
          "hugepageLimits": [{"pageSize": "2MB", "limit": 209715200}],
          "network": {"classID": 1048577, "priorities": [{"name": "eth0", "priority": 500}]},
          "rdma": {"mlx5_1": {"hcaHandles": 3, "hcaObjects": 10000}},
          "unified": {"io.max": "8:0 rbps=1"},
          "x-res": "r"
        },
        "cgroupsPath": "/c",
        "namespaces": [{"type": "pid"}, {"type": "network", "path": "/proc/1/ns/net"}],
        "devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0}],
        "seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "architectures": ["SCMP_ARCH_X86_64"],
                    "flags": ["SECCOMP_FILTER_FLAG_LOG"], "listenerPath": "/run/s.sock", "listenerMetadata": "m",
                    "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "errnoRet": 2,
                                  "args": [{"index": 0, "value": 1, "valueTwo": 2, "op": "SCMP_CMP_EQ"}]}]},
        "rootfsPropagation": "rprivate",
        "maskedPaths": ["/proc/kcore"],
        "readonlyPaths": ["/proc/sys"],
        "mountLabel": "system_u:object_r:container_file_t:s0",
        "intelRdt": {"closID": "g", "l3CacheSchema": "L3:0=ff", "enableMonitoring": true},
        "personality": {"domain": "LINUX32", "flags": []},
        "netDevices": {"eth1": {"name": "eth9"}}
      },
      "windows": {"layerFolders": ["C:\\x"]}
    }
    """;

    [Fact]
    public void FullDocument_RoundTripsExactly()
    {
        var spec = TestHelpers.Deserialize(Full);
        TestHelpers.AssertJsonEqual(Full, TestHelpers.Serialize(spec));
    }

    [Fact]
    public void UnknownFields_AreKeptAtTopLevelAndNested()
    {
        var spec = TestHelpers.Deserialize(Full);
        Assert.True(spec.Extra!.ContainsKey("x-top"));
        Assert.False(spec.Extra.ContainsKey("windows")); // modelled now (WindowsSpec), no longer an unknown field
        Assert.Equal(@"C:\x", Assert.Single(spec.Windows!.LayerFolders!));
        Assert.Equal("k", spec.Root!.Extra!["x-root"].GetString());
        Assert.True(spec.Process!.User!.Extra!["x-user"].GetBoolean());
        Assert.Equal(1, spec.Process.Capabilities!.Extra!["x-caps"].GetInt32());
        Assert.Equal(JsonValueKind.Array, spec.Mounts![0].Extra!["x-mount"].ValueKind);
        Assert.Equal("r", spec.Linux!.Resources!.Extra!["x-res"].GetString());
        Assert.True(spec.Linux.Extra!.ContainsKey("netDevices"));

        var back = JsonNode.Parse(TestHelpers.Serialize(spec))!;
        Assert.Equal("eth9", back["linux"]!["netDevices"]!["eth1"]!["name"]!.GetValue<string>());
        Assert.Equal("r", back["linux"]!["resources"]!["x-res"]!.GetValue<string>());
    }

    [Fact]
    public void TypedValues_AreParsed()
    {
        var spec = TestHelpers.Deserialize(Full);
        Assert.Equal(ulong.MaxValue, spec.Process!.Rlimits![0].Hard);
        Assert.Equal(-17, spec.Process.OomScoreAdj);
        Assert.Equal(100000u, spec.Mounts![0].UidMappings![0].HostID);
        Assert.Equal(-5, spec.Linux!.TimeOffsets!["monotonic"].Secs);
        Assert.Equal(-1, spec.Linux.Resources!.Pids!.Limit);
        Assert.Null(spec.Linux.Resources.Devices![0].Major);
        Assert.Equal(3, spec.Linux.Resources.Devices[1].Minor);
        Assert.Equal((ushort)300, spec.Linux.Resources.BlockIO!.WeightDevice![0].Weight);
        Assert.Equal("2MB", spec.Linux.Resources.HugepageLimits![0].Pagesize);
        Assert.Equal(10000u, spec.Linux.Resources.Rdma!["mlx5_1"].HcaObjects);
        Assert.Equal(2ul, spec.Linux.Seccomp!.Syscalls![0].Args![0].ValueTwo);
        Assert.Equal("LINUX32", spec.Linux.Personality!.Domain);
        Assert.Equal(5, spec.Hooks!.CreateRuntime![0].Timeout);
    }

    [Fact]
    public void NullProperties_AreOmitted()
    {
        var json = TestHelpers.Serialize(new Spec { OciVersion = "1.3.0", Root = new Root { Path = "r" } });
        var node = JsonNode.Parse(json)!.AsObject();
        Assert.Equal(["ociVersion", "root"], node.Select(kv => kv.Key).ToArray());
        Assert.Equal(["path"], node["root"]!.AsObject().Select(kv => kv.Key).ToArray());
    }

    [Fact]
    public void CompactContext_WritesOneLine()
    {
        var json = JsonSerializer.Serialize(new ContainerState { OciVersion = "1.3.0", Id = "a", Status = "created", Pid = 5, Bundle = "/b" },
            OciJsonContext.Compact.ContainerState);
        Assert.Equal("""{"ociVersion":"1.3.0","id":"a","status":"created","pid":5,"bundle":"/b"}""", json);
    }

    [Fact]
    public void ContainerState_RoundTripsExtraFields()
    {
        const string s = """{"ociVersion":"1.3.0","id":"c","status":"running","pid":42,"bundle":"/b","annotations":{"k":"v"},"rootfs":"/b/rootfs"}""";
        var st = JsonSerializer.Deserialize(s, OciJsonContext.Default.ContainerState)!;
        Assert.Equal(42, st.Pid);
        Assert.Equal(ContainerStatus.Running, st.Status);
        TestHelpers.AssertJsonEqual(s, JsonSerializer.Serialize(st, OciJsonContext.Default.ContainerState));
    }
}
