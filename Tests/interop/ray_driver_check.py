#!/usr/bin/env python3
"""Checks scripts/ray-run against hand-made plans, without `oodsynth plan`/`oodsynth task`: run by hand.

    python3 Tests/interop/ray_driver_check.py [--only NAME...] [--keep]

Plans come from Tests/interop/fake_oodsynth.py (given to ray-run as --oodsynth); its tasks run the
real `oodsynth decode` (.build/debug/oodsynth, or $REAL_OODSYNTH). Checks, each printing one line:
  local      a local Ray instance: a diamond of tasks, outputs and done files, the summary
  refuse     a second run without --resume refuses; with --resume every task is skipped
  failure    a task that fails: retried --max-retries times, exit 1, one line naming the task,
             the tasks after it never start
  lost-node  a 2-node cluster (Tests/interop/ray_cluster.py); the worker node's raylet is killed
             (SIGKILL) while it runs a task: the run still finishes with the same bytes as the local
             run, the killed task's oodsynth child is gone, no *.partial is left, and --resume
             runs nothing
  overhead   20 no-op tasks (sh -c 'echo {} > DONE') through ray-run, against running them directly
Exit status 0 when every check passes.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(os.path.dirname(HERE))
RAY_RUN = os.path.join(REPOSITORY, "scripts", "ray-run")
FAKE = os.path.join(HERE, "fake_oodsynth.py")
CLUSTER = os.path.join(HERE, "ray_cluster.py")
SAMPLES = os.path.join(REPOSITORY, "Samples", "openclipart-12.tar")


def decode_job(count, sleep=0):
    """count decode tasks (different --max-side each), then one that joins their digests into out/."""
    tasks = [{"name": f"d{i}", "sh": f"sleep {sleep}; oodsynth decode {SAMPLES} --max-side {40 + 4 * i} -q > \"$1\"",
              "outputs": [f"{{work}}/d{i}.tar"]} for i in range(count)]
    tasks.append({"name": "join", "after": [t["name"] for t in tasks],
                  "sh": "sha256sum " + " ".join(f"{{work}}/d{i}.tar" for i in range(count))
                        + " | sed 's, .*/, ,' > \"$1\"; cp {work}/d0.tar \"$2\"",
                  "outputs": ["{out}/digests.txt", "{out}/d0.tar"]})
    return {"tasks": tasks}


def write_job(folder, job, name="job.json"):
    path = os.path.join(folder, name)
    with open(path, "w") as f:
        json.dump(job, f)
    return path


def ray_run(folder, *arguments, env=None):
    started = time.monotonic()
    done = subprocess.run([sys.executable, RAY_RUN, *arguments, "--oodsynth", FAKE], cwd=folder,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    return done.returncode, done.stderr, time.monotonic() - started


def summary(stderr):
    lines = [l for l in stderr.splitlines() if l.startswith("ray-run: ") and " tasks run, " in l]
    assert lines, f"no summary line in:\n{stderr}"
    return lines[-1]


def events(folder, out):
    with open(os.path.join(folder, out + ".work", "ray-events.jsonl")) as f:
        return [json.loads(line) for line in f]


def digests(folder):
    found = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            if name == "ray-events.jsonl" or name == "plan.json" or name.endswith(".lock") or name.endswith("_done.json"):
                continue  # these record times, pids and paths
            with open(path, "rb") as f:
                found[os.path.relpath(path, folder)] = hashlib.sha256(f.read()).hexdigest()
    return found


def partials(*folders):
    return [os.path.join(r, n) for folder in folders for r, _, files in os.walk(folder) for n in files if n.endswith(".partial")]


def check_local(folder):
    job = write_job(folder, decode_job(3))
    status, stderr, seconds = ray_run(folder, job, "--out", "local")
    assert status == 0, stderr
    line = summary(stderr)
    assert "4 tasks run, 0 skipped" in line, line
    assert len([l for l in stderr.splitlines() if " tasks done (" in l]) == 4, stderr
    for name in ["d0", "d1", "d2", "join"]:
        with open(os.path.join(folder, f"local.work/{name}_done.json")) as f:
            assert json.load(f)["bytes"] > 0
    starts = [e for e in events(folder, "local") if e["event"] == "start"]
    assert sorted(e["task"] for e in starts) == ["d0", "d1", "d2", "join"], starts
    join = next(e for e in starts if e["task"] == "join")
    finishes = {e["task"]: e["time"] for e in events(folder, "local") if e["event"] == "finish"}
    assert all(finishes[d] <= join["time"] for d in ["d0", "d1", "d2"]), "join started before the tasks it comes after"
    assert not partials(os.path.join(folder, "local"), os.path.join(folder, "local.work"))
    return f"{line.removeprefix('ray-run: ')} (wall {seconds:.1f} s)"


def check_refuse(folder):
    job = os.path.join(folder, "job.json")
    status, stderr, _ = ray_run(folder, job, "--out", "local")
    lines = stderr.strip().splitlines()
    assert status == 1 and lines[-1] == "ray-run: error: local.work holds an earlier run's work: add --resume to continue it, or remove it", stderr
    status, stderr, _ = ray_run(folder, job, "--out", "local", "--resume")
    assert status == 0 and "0 tasks run, 4 skipped" in summary(stderr), stderr
    return "refused without --resume; with it: " + summary(stderr).removeprefix("ray-run: ")


def check_failure(folder):
    job = write_job(folder, decode_job(2), "job2.json")
    status, stderr, _ = ray_run(folder, job, "--out", "failing", "--set", "fail=d1", "--max-retries", "1")
    last = stderr.strip().splitlines()[-1]
    assert status == 1, stderr
    assert last == "ray-run: error: task d1 failed (exit status 3): fake: d1 was told to fail", last
    starts = [e["task"] for e in events(folder, "failing") if e["event"] == "start"]
    assert starts.count("d1") == 2 and "join" not in starts, starts
    return last


def check_lost_node(folder, keep):
    cluster = tempfile.mkdtemp(prefix="rc.", dir="/tmp")
    try:
        address = subprocess.run([sys.executable, CLUSTER, "start", cluster], check=True,
                                 stdout=subprocess.PIPE, text=True).stdout.strip()
        # 6 tasks of about 3 s on 2 one-CPU nodes: the worker node runs several.
        job = write_job(folder, decode_job(3, sleep=2), "job.json")
        runner = subprocess.Popen([sys.executable, RAY_RUN, job, "--out", "lost", "--address", address, "--oodsynth", FAKE],
                                  cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        waited = subprocess.run([sys.executable, CLUSTER, "wait-start", cluster, os.path.join(folder, "lost.work/ray-events.jsonl"),
                                 "--timeout", "120"], check=True, stdout=subprocess.PIPE, text=True)
        name, raylet = waited.stdout.split()
        with open(os.path.join(cluster, "cluster.json")) as f:
            node = next(n for n in json.load(f)["nodes"] if n["name"] == name)
        start = next(e for e in events(folder, "lost") if e["event"] == "start" and e["node_id"] == node["node_id"])
        time.sleep(0.5)
        os.kill(int(raylet), 9)
        killed = time.monotonic()
        _, stderr = runner.communicate(timeout=300)
        assert runner.returncode == 0, stderr
        # The killed attempt's child: gone (a zombie would show state Z; it has no parent to wait for it).
        def alive(pid):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    return f.read().rsplit(")", 1)[1].split()[0] != "Z"
            except FileNotFoundError:
                return False
        assert not alive(start["pid"]) and not alive(start["worker_pid"]), f"task {start['task']}'s processes outlived the node"
        retried = [e for e in events(folder, "lost") if e["event"] == "start" and e["task"] == start["task"]]
        assert len(retried) >= 2 and retried[-1]["node_id"] != node["node_id"], retried
        expected = digests(os.path.join(folder, "local"))
        assert digests(os.path.join(folder, "lost")) == expected, "the out folders differ"
        local_work = {k: v for k, v in digests(os.path.join(folder, "local.work")).items()}
        assert digests(os.path.join(folder, "lost.work")) == local_work, "the work folders differ"
        assert not partials(os.path.join(folder, "lost"), os.path.join(folder, "lost.work")), partials(folder)
        line = summary(stderr)
        status, stderr, _ = ray_run(folder, job, "--out", "lost", "--address", address, "--resume")
        assert status == 0 and "0 tasks run, 4 skipped" in summary(stderr), stderr
        return (f"killed {name}'s raylet while it ran {start['task']}; retried on the head; "
                f"{line.removeprefix('ray-run: ')}; same bytes; resume ran nothing; "
                f"finished {time.monotonic() - killed:.1f} s after the kill")
    finally:
        if not keep:
            subprocess.run([sys.executable, CLUSTER, "stop", cluster])


def check_overhead(folder):
    count = 20
    job = {"tasks": [{"name": f"n{i}", "argv": ["sh", "-c", "echo '{\"count\": 0}' > {done}"]} for i in range(count)]}
    one = {"tasks": job["tasks"][:1]}
    status, stderr, one_seconds = ray_run(folder, write_job(folder, one, "one.json"), "--out", "one")
    assert status == 0, stderr
    status, stderr, many_seconds = ray_run(folder, write_job(folder, job, "noop.json"), "--out", "noop")
    assert status == 0, stderr
    started = time.monotonic()
    for i in range(count):
        subprocess.run(["sh", "-c", f"echo '{{\"count\": 0}}' > direct-{i}.json"], cwd=folder, check=True)
    direct = (time.monotonic() - started) / count
    per_task = (many_seconds - one_seconds) / (count - 1)
    return (f"ray-run: 1 task {one_seconds:.1f} s, {count} tasks {many_seconds:.1f} s (local, {os.cpu_count()} CPUs): "
            f"{per_task:.3f} s per extra task; directly {direct:.4f} s per task")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="run only these checks")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and the cluster")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="ray-driver-check.")
    checks = [("local", check_local), ("refuse", check_refuse), ("failure", check_failure),
              ("lost-node", lambda f: check_lost_node(f, args.keep)), ("overhead", check_overhead)]
    failed = 0
    for name, check in checks:
        if args.only and name not in args.only:
            continue
        try:
            print(f"ok {name}: {check(folder)}", flush=True)
        except Exception as error:  # report every check
            failed += 1
            print(f"FAILED {name}: {type(error).__name__}: {error}", flush=True)
    if args.keep:
        print(f"scratch folder: {folder}")
    else:
        subprocess.run(["rm", "-rf", folder])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
