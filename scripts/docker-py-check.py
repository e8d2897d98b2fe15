#!/usr/bin/python3
"""docker-py (Debian's python3-docker) as a real client of a Docker Engine API (issue 17, "Real clients as tests").

    DOCKER_HOST=unix:///run/carton/docker.sock /usr/bin/python3 scripts/docker-py-check.py \
        --registry 127.0.0.1:5000 --image 127.0.0.1:5000/busybox:latest [--skip images-transfer] [--only GROUP]

Run with /usr/bin/python3: python3-docker is installed for Debian's interpreter (scripts/install-deps.sh), and a pyenv
python first on PATH does not have it. The client is docker-py's own (docker.from_env()), with its default API version,
so the requests are the ones its users send, not the docker CLI's.

Each step prints "ok: GROUP/STEP" when it has checked what it did; the first that fails prints "FAIL: GROUP/STEP: why"
and the script exits 1 after removing what it made (containers, volumes, networks, images: try/finally). Everything
it makes has a name or label with this run's token (pycheck-XXXXXX), and the prune steps filter on that label, so the
script can run against a daemon other tests share.

Groups (--skip and --only take them, repeatable): volumes, run, restart, health, events, observe, lifecycle, exec-logs,
networks, prune, images-transfer (save, load, login, push: the image endpoints of issue 17's item 7). The environment
variable PYCHECK_SKIP (groups, comma-separated) adds to --skip.
"""
import argparse
import io
import json
import os
import sys
import tarfile
import time
import uuid

import docker
from docker.errors import APIError, NotFound

GROUPS = ["volumes", "run", "restart", "health", "events", "observe", "lifecycle", "exec-logs", "networks", "prune",
          "images-transfer"]


class Check:
    """The run's state: the client, the image, the token in every name, what to remove at the end."""

    def __init__(self, client, image, registry):
        self.client = client
        self.image = image
        self.registry = registry
        self.token = "pycheck-" + uuid.uuid4().hex[:6]
        self.label = {"carton.pycheck": self.token}
        self.containers, self.volumes, self.networks, self.images = [], [], [], []
        self.started = int(time.time())

    def name(self, what):
        return f"{self.token}-{what}"

    def run(self, command, **kw):
        """A detached container of the image with this run's label, remembered for the clean-up."""
        kw.setdefault("labels", dict(self.label))
        c = self.client.containers.run(self.image, command, detach=True, **kw)
        self.containers.append(c.id)
        return c

    def volume(self, what, **kw):
        v = self.client.volumes.create(name=self.name(what), labels=dict(self.label), **kw)
        self.volumes.append(v.name)
        return v

    def network(self, what):
        n = self.client.networks.create(self.name(what), driver="bridge", labels=dict(self.label))
        self.networks.append(n.id)
        return n

    def inspect(self, c):
        return self.client.api.inspect_container(c.id if hasattr(c, "id") else c)

    def cleanup(self):
        """Removes what the run made, in dependency order; what fails is reported (the caller's exit says it)."""
        problems = []
        for cid in reversed(self.containers):
            try:
                self.client.api.remove_container(cid, force=True, v=True)
            except NotFound:
                pass
            except APIError as e:
                problems.append(f"container {cid[:12]}: {e}")
        for nid in reversed(self.networks):
            try:
                self.client.api.remove_network(nid)
            except NotFound:
                pass
            except APIError as e:
                problems.append(f"network {nid[:12]}: {e}")
        for v in reversed(self.volumes):
            try:
                self.client.api.remove_volume(v)
            except NotFound:
                pass
            except APIError as e:
                problems.append(f"volume {v}: {e}")
        for ref in reversed(self.images):
            try:
                self.client.api.remove_image(ref)
            except NotFound:
                pass
            except APIError as e:
                problems.append(f"image {ref}: {e}")
        return problems


def eventually(condition, what, seconds=20.0, every=0.1):
    """Polls until condition() is true; its last value is returned (an assertion names what never came)."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds:g} s")
        time.sleep(every)


def expect_api_error(status, call, what):
    try:
        call()
    except APIError as e:
        assert e.status_code == status, f"{what}: HTTP {e.status_code} ({e.explanation}), expected {status}"
        return e
    raise AssertionError(f"{what}: succeeded, expected HTTP {status}")


# ---- volumes ------------------------------------------------------------------------------------------------------

def volumes_create_list_inspect(ck):
    v = ck.volume("vol")
    listed = [x.name for x in ck.client.volumes.list(filters={"label": f"carton.pycheck={ck.token}"})]
    assert v.name in listed, f"volumes.list(label filter) = {listed}, lacks {v.name}"
    attrs = ck.client.volumes.get(v.name).attrs
    assert attrs["Name"] == v.name and attrs["Driver"] == "local", f"inspect: {attrs}"
    assert attrs["Labels"].get("carton.pycheck") == ck.token, f"inspect Labels: {attrs['Labels']}"
    assert attrs["Mountpoint"], f"inspect Mountpoint empty: {attrs}"


def volumes_in_use_refused_then_removed(ck):
    v = ck.volume("busy")
    c = ck.run("sleep 30", volumes={v.name: {"bind": "/data", "mode": "rw"}})
    e = expect_api_error(409, v.remove, "removing a volume in use")
    assert "in use" in str(e.explanation), f"the 409 says: {e.explanation}"
    c.remove(force=True)
    v.remove()
    try:
        ck.client.volumes.get(v.name)
        raise AssertionError(f"volume {v.name} still inspectable after remove")
    except NotFound:
        pass


# ---- run ----------------------------------------------------------------------------------------------------------

def run_with_named_volume(ck):
    v = ck.volume("data")
    w = ck.run(["sh", "-c", "echo from-first > /data/f"], volumes=[f"{v.name}:/data"])
    assert w.wait(timeout=30)["StatusCode"] == 0, f"writer: {w.logs()!r}"
    mounts = ck.inspect(w)["Mounts"]
    assert any(m.get("Type") == "volume" and m.get("Name") == v.name and m.get("Destination") == "/data" for m in mounts), \
        f"inspect Mounts: {mounts}"
    r = ck.run(["cat", "/data/f"], volumes=[f"{v.name}:/data:ro"])
    assert r.wait(timeout=30)["StatusCode"] == 0, f"reader: {r.logs()!r}"
    assert r.logs() == b"from-first\n", f"the second container read {r.logs()!r} from the volume"


# ---- restart ------------------------------------------------------------------------------------------------------

def restart_on_failure(ck):
    c = ck.run(["sh", "-c", "exit 3"], restart_policy={"Name": "on-failure", "MaximumRetryCount": 2})

    def given_up():
        s = ck.inspect(c)
        return s if s["RestartCount"] == 2 and s["State"]["Status"] == "exited" and s["State"]["ExitCode"] == 3 else None

    # ExitCode in the condition: Carton can show the last run "exited" with ExitCode 0 for a moment before its code
    # is recorded (seen once in a few runs; reported as a bug, not this script's to check)
    s = eventually(given_up, "on-failure:2 restarted twice then stopped with ExitCode 3", 30)
    assert s["HostConfig"]["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 2}, s["HostConfig"]["RestartPolicy"]
    time.sleep(1)
    assert ck.inspect(c)["RestartCount"] == 2, "restarted beyond MaximumRetryCount"


def restart_always(ck):
    c = ck.run(["sh", "-c", "sleep 0.2"], restart_policy={"Name": "always"})
    eventually(lambda: ck.inspect(c)["RestartCount"] >= 2, "always: RestartCount reaches 2", 30)
    c.stop(timeout=1)
    s = ck.inspect(c)
    assert s["State"]["Status"] == "exited", f"after stop: {s['State']}"


# ---- health -------------------------------------------------------------------------------------------------------

def health_becomes_healthy(ck):
    c = ck.run("sleep 60", healthcheck={"test": ["CMD-SHELL", "test -e /etc/passwd"], "interval": 200_000_000,
                                        "timeout": 2_000_000_000, "retries": 2})
    first = ck.inspect(c)["State"].get("Health")
    assert first is not None, "inspect has no State.Health for a container with a healthcheck"
    health = eventually(lambda: (ck.inspect(c)["State"]["Health"] or {}).get("Status") == "healthy" and ck.inspect(c)["State"]["Health"],
                        "State.Health.Status becomes healthy", 20)
    assert health["FailingStreak"] == 0 and health["Log"], f"Health: {health}"
    cfg = ck.inspect(c)["Config"]["Healthcheck"]
    assert cfg["Test"] == ["CMD-SHELL", "test -e /etc/passwd"] and cfg["Retries"] == 2 and cfg["Interval"] == 200_000_000, cfg


def health_becomes_unhealthy(ck):
    c = ck.run("sleep 60", healthcheck={"test": ["CMD", "false"], "interval": 200_000_000, "retries": 2})
    eventually(lambda: (ck.inspect(c)["State"]["Health"] or {}).get("Status") == "unhealthy",
               "State.Health.Status becomes unhealthy", 20)


# ---- events -------------------------------------------------------------------------------------------------------

def events_since_until_filters(ck):
    since = int(time.time()) - 1
    c = ck.run("true", name=ck.name("ev"))
    c.wait(timeout=30)
    c.remove()
    until = int(time.time()) + 1
    time.sleep(1.1)  # until is whole seconds: let it pass, so that the stream ends after the replay
    events = list(ck.client.events(since=since, until=until, filters={"type": "container", "container": c.id}, decode=True))
    actions = [e["Action"] for e in events]
    for a in ("create", "start", "die", "destroy"):
        assert a in actions, f"events(since, until, container filter) lacks {a}: {actions}"
    assert all(e["Actor"]["ID"] == c.id and e["Type"] == "container" for e in events), f"filter let through: {events}"
    die = next(e for e in events if e["Action"] == "die")
    assert die["Actor"]["Attributes"].get("exitCode") == "0" and die["Actor"]["Attributes"].get("name") == ck.name("ev"), die
    only = list(ck.client.events(since=since, until=until, filters={"event": "start", "container": c.id}, decode=True))
    assert [e["Action"] for e in only] == ["start"], f"event=start filter: {[e['Action'] for e in only]}"
    labelled = list(ck.client.events(since=since, until=until, filters={"label": f"carton.pycheck={ck.token}", "type": "container"}, decode=True))
    assert any(e["Actor"]["ID"] == c.id for e in labelled), "label filter lost the container's events"


# ---- observe ------------------------------------------------------------------------------------------------------

def stats_one_shot(ck):
    c = ck.run("sleep 60")
    s = c.stats(stream=False)
    for k in ("read", "cpu_stats", "precpu_stats", "memory_stats", "pids_stats"):
        assert k in s, f"stats(stream=False) lacks {k}: {sorted(s)}"
    assert s["cpu_stats"]["cpu_usage"]["total_usage"] > 0, f"cpu_stats: {s['cpu_stats']}"
    assert s["memory_stats"].get("usage", 0) > 0, f"memory_stats: {s['memory_stats']}"
    assert s["pids_stats"].get("current", 0) >= 1, f"pids_stats: {s['pids_stats']}"


def top(ck):
    c = ck.run("sleep 61")
    t = c.top()
    assert "PID" in t["Titles"] and "CMD" in t["Titles"], f"top Titles: {t['Titles']}"
    cmd = t["Titles"].index("CMD")
    # polled: just after the start the container's process may still be Carton's init (carton-dmz) before its exec
    # of the command (with runc too, the exec follows the start's answer, in a shorter window)
    eventually(lambda: any("sleep 61" in p[cmd] for p in c.top()["Processes"]), "top shows the container's sleep 61", 10)


def df(ck):
    d = ck.client.df()
    for k in ("LayersSize", "Images", "Containers", "Volumes"):
        assert k in d, f"df lacks {k}: {sorted(d)}"
    v = ck.volume("df")
    d = ck.client.df()
    mine = [x for x in d["Volumes"] if x["Name"] == v.name]
    assert mine and "UsageData" in mine[0], f"df Volumes lacks {v.name} with UsageData: {d['Volumes']}"


# ---- lifecycle ----------------------------------------------------------------------------------------------------

def pause_unpause(ck):
    c = ck.run("sleep 60")
    c.pause()
    c.reload()
    assert c.status == "paused" and c.attrs["State"]["Paused"], f"after pause: {c.attrs['State']}"
    expect_api_error(409, lambda: c.exec_run("true"), "exec in a paused container")
    c.unpause()
    c.reload()
    assert c.status == "running" and not c.attrs["State"]["Paused"], f"after unpause: {c.attrs['State']}"


def rename(ck):
    c = ck.run("sleep 60", name=ck.name("old"))
    c.rename(ck.name("new"))
    c.reload()
    assert c.name == ck.name("new"), f"name after rename: {c.name}"
    assert ck.client.containers.get(ck.name("new")).id == c.id, "the new name does not find the container"
    try:
        ck.client.containers.get(ck.name("old"))
        raise AssertionError("the old name still finds the container")
    except NotFound:
        pass


def update(ck):
    c = ck.run("sleep 60", mem_limit="128m", cpu_shares=1024)
    c.update(mem_limit="64m", cpu_shares=512)
    hc = ck.inspect(c)["HostConfig"]
    assert hc["Memory"] == 64 * 1024 * 1024, f"HostConfig.Memory {hc['Memory']}"
    assert hc["CpuShares"] == 512, f"HostConfig.CpuShares {hc['CpuShares']}"
    expect_api_error(400, lambda: c.update(mem_limit="1m"), "update to 1 MB (under dockerd's 6 MB minimum)")


# ---- exec and logs ------------------------------------------------------------------------------------------------

def logs(ck):
    c = ck.run(["sh", "-c", "echo to-out; echo to-err >&2"])
    c.wait(timeout=30)
    assert c.logs(stdout=True, stderr=False) == b"to-out\n", f"stdout only: {c.logs(stdout=True, stderr=False)!r}"
    assert c.logs(stdout=False, stderr=True) == b"to-err\n", f"stderr only: {c.logs(stdout=False, stderr=True)!r}"
    both = c.logs(timestamps=True).decode().splitlines()
    assert len(both) == 2 and all(line[:4].isdigit() and "T" in line.split(" ")[0] for line in both), f"timestamps: {both}"
    assert c.logs(tail=1) in (b"to-out\n", b"to-err\n"), f"tail=1: {c.logs(tail=1)!r}"


def exec_run(ck):
    c = ck.run("sleep 60")
    r = c.exec_run(["sh", "-c", "echo $X; exit 4"], environment={"X": "in-exec"})
    assert r.exit_code == 4 and r.output == b"in-exec\n", f"exec_run: {r}"
    r = c.exec_run("pwd", workdir="/tmp")
    assert r.exit_code == 0 and r.output == b"/tmp\n", f"exec_run workdir: {r}"
    r = c.exec_run(["sh", "-c", "echo out; echo err >&2"], demux=True)
    assert r.output == (b"out\n", b"err\n"), f"exec_run demux: {r.output}"


# ---- networks -----------------------------------------------------------------------------------------------------

def networks_create_connect_disconnect(ck):
    n = ck.network("net")
    assert ck.client.networks.get(n.id).name == ck.name("net"), "networks.get by id"
    c = ck.run("sleep 60")
    n.connect(c, aliases=["pyalias"])
    n.reload()
    assert c.id in [x.id for x in n.containers], f"network's containers after connect: {n.containers}"
    nets = ck.inspect(c)["NetworkSettings"]["Networks"]
    assert ck.name("net") in nets and nets[ck.name("net")]["IPAddress"], f"container's networks: {nets}"
    r = c.exec_run(["ip", "-o", "-4", "addr", "show"])
    assert nets[ck.name("net")]["IPAddress"] in r.output.decode(), f"the container lacks the address: {r.output}"
    expect_api_error(403, n.remove, "removing a network with an endpoint (dockerd: ActiveEndpointsError is Forbidden)")
    n.disconnect(c)
    n.reload()
    assert c.id not in [x.id for x in n.containers], "still connected after disconnect"
    assert ck.name("net") not in ck.inspect(c)["NetworkSettings"]["Networks"], "inspect still shows the network"


# ---- prune --------------------------------------------------------------------------------------------------------

def containers_prune(ck):
    stopped = ck.run("true")
    stopped.wait(timeout=30)
    running = ck.run("sleep 60")
    r = ck.client.containers.prune(filters={"label": f"carton.pycheck={ck.token}"})
    assert stopped.id in (r.get("ContainersDeleted") or []), f"containers.prune: {r}"
    assert running.id not in (r.get("ContainersDeleted") or []), "prune removed a running container"
    assert "SpaceReclaimed" in r, f"containers.prune: {r}"
    running.reload()


def networks_prune(ck):
    n = ck.network("prune")
    r = ck.client.networks.prune(filters={"label": f"carton.pycheck={ck.token}"})
    assert n.name in (r.get("NetworksDeleted") or []), f"networks.prune: {r}"


def volumes_prune(ck):
    v = ck.volume("prune")
    kept = ck.volume("kept")
    c = ck.run("sleep 60", volumes={kept.name: {"bind": "/k"}})
    # all=true: from API 1.42 a prune takes only anonymous volumes without it (as dockerd); docker-py negotiates 1.50
    r = ck.client.volumes.prune(filters={"label": f"carton.pycheck={ck.token}", "all": "true"})
    deleted = r.get("VolumesDeleted") or []
    assert v.name in deleted, f"volumes.prune (API {ck.client.api.api_version}, all=true): {r}"
    assert kept.name not in deleted, "prune removed a volume in use"
    c.remove(force=True)


def images_prune(ck):
    r = ck.client.images.prune(filters={"dangling": True})
    # dockerd always writes ImagesDeleted (null when none); Carton leaves it out when none: both read as "none"
    assert "SpaceReclaimed" in r and isinstance(r.get("ImagesDeleted") or [], list), f"images.prune: {r}"
    ck.client.images.get(ck.image)  # the image in use by nothing but tagged stays


# ---- images-transfer ----------------------------------------------------------------------------------------------

def images_save(ck):
    data = b"".join(ck.client.api.get_image(ck.image))
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        names = t.getnames()
        assert "manifest.json" in names, f"GET /images/NAME/get: no manifest.json in {names}"
        manifest = json.load(t.extractfile("manifest.json"))
    assert ck.image in manifest[0]["RepoTags"], f"manifest.json RepoTags: {manifest[0].get('RepoTags')}"
    assert all(layer in names for layer in manifest[0]["Layers"]), f"layers missing from the archive: {manifest[0]['Layers']}"
    by_model = b"".join(ck.client.images.get(ck.image).save(named=True))
    assert tarfile.open(fileobj=io.BytesIO(by_model)).getmember("manifest.json"), "image.save(): no manifest.json"


def images_load(ck):
    tag = f"{ck.token}-loaded:v1"
    ck.client.images.get(ck.image).tag(tag)
    ck.images.append(tag)
    # named=tag, not True: True names the archive after the image's first tag, which is busybox's (RepoTags are in
    # lexical order, as dockerd's reference store gives them)
    data = b"".join(ck.client.images.get(tag).save(named=tag))
    ck.client.api.remove_image(tag)
    expect_api_error(404, lambda: ck.client.api.inspect_image(tag), "the tag before load")
    loaded = ck.client.images.load(data)
    assert any(tag in i.tags for i in loaded), f"images.load: {[i.tags for i in loaded]}"
    assert ck.client.images.get(tag).id == ck.client.images.get(ck.image).id, "the loaded image is another"


def login(ck):
    r = ck.client.login(username="pycheck", password="unused", registry=f"http://{ck.registry}", reauth=True)
    assert "Login Succeeded" in (r.get("Status") or ""), f"login: {r}"


def images_push(ck):
    repo = f"{ck.registry}/{ck.token}"
    ck.client.images.get(ck.image).tag(repo, "pushed")
    ck.images.append(f"{repo}:pushed")
    lines = list(ck.client.images.push(repo, tag="pushed", stream=True, decode=True,
                                       auth_config={"username": "pycheck", "password": "unused"}))
    errors = [x for x in lines if "error" in x or "errorDetail" in x]
    assert not errors, f"push: {errors}"
    assert any("digest" in (x.get("aux") or {}) or "digest:" in x.get("status", "") for x in lines), f"push gave no digest: {lines}"
    ck.client.api.remove_image(f"{repo}:pushed")
    ck.images.remove(f"{repo}:pushed")
    pulled = ck.client.images.pull(repo, tag="pushed")
    ck.images.append(f"{repo}:pushed")
    assert pulled.id == ck.client.images.get(ck.image).id, "the image pulled back is another"


STEPS = [
    ("volumes", "create-list-inspect", volumes_create_list_inspect),
    ("volumes", "in-use-refused-then-removed", volumes_in_use_refused_then_removed),
    ("run", "named-volume", run_with_named_volume),
    ("restart", "on-failure", restart_on_failure),
    ("restart", "always", restart_always),
    ("health", "healthy", health_becomes_healthy),
    ("health", "unhealthy", health_becomes_unhealthy),
    ("events", "since-until-filters", events_since_until_filters),
    ("observe", "stats", stats_one_shot),
    ("observe", "top", top),
    ("observe", "df", df),
    ("lifecycle", "pause-unpause", pause_unpause),
    ("lifecycle", "rename", rename),
    ("lifecycle", "update", update),
    ("exec-logs", "logs", logs),
    ("exec-logs", "exec-run", exec_run),
    ("networks", "create-connect-disconnect", networks_create_connect_disconnect),
    ("prune", "containers", containers_prune),
    ("prune", "networks", networks_prune),
    ("prune", "volumes", volumes_prune),
    ("prune", "images", images_prune),
    ("images-transfer", "save", images_save),
    ("images-transfer", "load", images_load),
    ("images-transfer", "login", login),
    ("images-transfer", "push", images_push),
]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--registry", default=os.environ.get("PYCHECK_REGISTRY"), help="host:port of a registry (plain HTTP, no auth)")
    p.add_argument("--image", default=os.environ.get("PYCHECK_IMAGE"), help="busybox image reference (pulled first)")
    p.add_argument("--skip", action="append", default=[], choices=GROUPS)
    p.add_argument("--only", action="append", default=[], choices=GROUPS)
    p.add_argument("--keep-going", action="store_true", help="run every step, then fail if any failed")
    a = p.parse_args()
    # PYCHECK_SKIP (groups, comma-separated) adds to --skip: tests/Carton.Docker.Tests/DockerPyTests passes it through
    a.skip += [g for g in os.environ.get("PYCHECK_SKIP", "").replace(" ", "").split(",") if g]
    unknown = [g for g in a.skip if g not in GROUPS]
    if unknown:
        p.error(f"unknown group(s) {unknown}: {GROUPS}")
    if not a.image or not a.registry:
        p.error("--registry and --image (or PYCHECK_REGISTRY, PYCHECK_IMAGE) are required")
    if "DOCKER_HOST" not in os.environ:
        p.error("DOCKER_HOST is required (unix:///path/to/docker.sock)")

    client = docker.from_env(timeout=120)
    client.images.pull(a.image)
    ck = Check(client, a.image, a.registry)
    failed = []
    try:
        for group, step, fn in STEPS:
            if group in a.skip or (a.only and group not in a.only):
                continue
            try:
                fn(ck)
            except Exception as e:  # noqa: BLE001 (any failure of a step is reported as that step's; the rest go on)
                print(f"FAIL: {group}/{step}: {type(e).__name__}: {e}", flush=True)
                failed.append(f"{group}/{step}")
                if not a.keep_going:
                    break
                continue
            print(f"ok: {group}/{step}", flush=True)
    finally:
        problems = ck.cleanup()
        for x in problems:
            print(f"FAIL: cleanup: {x}", flush=True)
        client.close()
    if failed or problems:
        print(f"failed: {' '.join(failed + (['cleanup'] if problems else []))}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
