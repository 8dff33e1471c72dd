#!/usr/bin/env python3
"""A stand-in for `oodsynth plan` and `oodsynth task`, to test scripts/ray-run without them.

    fake_oodsynth.py plan JOB.json --out DIR [--set k=v]...
        Writes DIR.work/plan.json (the oodsynth-plan format) and prints its path. JOB.json is
        {"tasks": [{"name", "after": [...], "sh": "...", "outputs": [...], "num_cpus"?}]}: each
        task's shell command writes its outputs to "$1", "$2"... (the outputs' .partial names);
        "{work}" and "{out}" in sh and outputs are the work and out folders. --set fail=NAME makes
        task NAME fail (exit 3, "fake: NAME was told to fail"); --set sleep=S adds S seconds
        to every task. A task with "argv" instead of "sh" runs that argv directly (not through
        `oodsynth task`; "{done}" in it is the task's done file), to time the driver alone.
    fake_oodsynth.py task PLAN NAME
        Runs the task as `oodsynth task` would: outputs as X.partial, renamed, then the done file
        (count, bytes, sha256, seconds). Other commands are passed to the real oodsynth
        ($REAL_OODSYNTH, else .build/debug/oodsynth).
"""
import hashlib
import json
import os
import subprocess
import sys
import time

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def real_oodsynth():
    return os.environ.get("REAL_OODSYNTH") or os.path.join(REPOSITORY, ".build", "debug", "oodsynth")


def plan(argv):
    job, out, sets = argv[0], None, {}
    i = 1
    while i < len(argv):
        if argv[i] == "--out":
            out = argv[i + 1]
            i += 2
        elif argv[i] == "--resume":
            i += 1
        elif argv[i] == "--set":
            key, _, value = argv[i + 1].partition("=")
            sets[key] = value
            i += 2
        else:
            sys.exit(f"plan: unknown argument {argv[i]}")
    with open(job) as f:
        spec = json.load(f)
    work = out + ".work"
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, "plan.json")
    tasks = []
    for t in spec["tasks"]:
        fill = lambda s: s.replace("{work}", work).replace("{out}", out)
        sh = fill(t.get("sh", ""))
        if sets.get("sleep"):
            sh = f"sleep {sets['sleep']}; " + sh
        if sets.get("fail") == t["name"]:
            sh = f"echo 'fake: {t['name']} was told to fail' >&2; exit 3"
        done = f"{work}/{t['name']}_done.json"
        tasks.append({
            "name": t["name"],
            "argv": [fill(a).replace("{done}", done) for a in t["argv"]] if "argv" in t else ["oodsynth", "task", path, t["name"]],
            "after": t.get("after", []),
            "inputs": [],
            "outputs": [fill(o) for o in t.get("outputs", [])],
            "done": done,
            "resources": {"num_cpus": t.get("num_cpus", 1), "num_gpus": 0, "custom": {}},
            "sh": sh,
        })
    plan = {"format": "oodsynth-plan", "version": 1, "manifest": job, "cwd": os.getcwd(),
            "out": out, "work": work, "tasks": tasks}
    with open(path + ".partial", "w") as f:
        json.dump(plan, f, indent=1)
    os.rename(path + ".partial", path)
    print(path)


def task(argv):
    started = time.monotonic()
    with open(argv[0]) as f:
        plan = json.load(f)
    (t,) = [t for t in plan["tasks"] if t["name"] == argv[1]]
    for output in t["outputs"]:
        os.makedirs(os.path.dirname(output) or ".", exist_ok=True)
    partials = [o + ".partial" for o in t["outputs"]]
    env = dict(os.environ, PATH=os.path.dirname(real_oodsynth()) + ":" + os.environ.get("PATH", ""))
    status = subprocess.run(["bash", "-c", t["sh"], "task", *partials], env=env).returncode
    if status != 0:
        sys.exit(status)
    digest, size = hashlib.sha256(), 0
    for partial, output in zip(partials, t["outputs"]):
        with open(partial, "rb") as f:
            data = f.read()
        digest.update(data)
        size += len(data)
        os.rename(partial, output)
    done = {"count": len(t["outputs"]), "bytes": size, "sha256": digest.hexdigest(),
            "seconds": round(time.monotonic() - started, 3)}
    with open(t["done"] + ".partial", "w") as f:
        json.dump(done, f)
    os.rename(t["done"] + ".partial", t["done"])


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "plan":
        plan(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "task":
        task(sys.argv[2:])
    else:
        os.execv(real_oodsynth(), [real_oodsynth(), *sys.argv[1:]])


if __name__ == "__main__":
    main()
