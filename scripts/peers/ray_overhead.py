#!/usr/bin/env python3
"""What the Ray driver adds to a task. A plan over Samples x 3 (1,080 images, shards.images = 1000)
gives id-00000, a 1,000-image decode | embed task (builtin model). It runs as a process by hand and
through scripts/ray-run's own remote function on a local Ray instance, alternated ROUNDS times; the
difference is the driver's overhead (scheduling, the Ray worker, the child process). Also timed: a
no-op Ray task, and a 1-image task (a task process's fixed cost: start, load the model).

usage: ray_overhead.py OODSYNTH DATA_DIR [ROUNDS]
"""
import importlib.machinery
import importlib.util
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import time

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_driver():
    loader = importlib.machinery.SourceFileLoader("ray_run", os.path.join(REPOSITORY, "scripts", "ray-run"))
    spec = importlib.util.spec_from_loader("ray_run", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def plan(oodsynth, folder, images):
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    manifest = os.path.join(folder, "job.yaml")
    sample = os.path.join(REPOSITORY, "Samples", "openclipart-12.tar")
    with open(manifest, "w") as f:
        f.write(f"input: [{sample}, {sample}, {sample}]\nout: {folder}/out\nmodel: builtin\n"
                f"decode: {{max-side: 256}}\nshards: {{images: {images}}}\n")
    path = subprocess.run([oodsynth, "plan", manifest, "-q"], check=True, capture_output=True, text=True).stdout.strip()
    with open(path) as f:
        return path, json.load(f)


def main():
    oodsynth, data = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else int(os.environ.get("ROUNDS", "3"))
    _, big = plan(oodsynth, os.path.join(data, "big"), 1000)
    task = next(t for t in big["tasks"] if t["name"] == "id-00000")
    _, small = plan(oodsynth, os.path.join(data, "small"), 1)
    one = next(t for t in small["tasks"] if t["name"] == "id-00000")

    def direct(t, p):
        start = time.perf_counter()
        subprocess.run([oodsynth] + t["argv"][1:], cwd=p["cwd"], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        return time.perf_counter() - start

    import ray
    driver = load_driver()
    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    try:
        remote = ray.remote(driver.run_task)
        noop = ray.remote(lambda: None)
        ray.get(noop.remote())
        start = time.perf_counter()
        ray.get([noop.remote() for _ in range(20)])
        noop_seconds = (time.perf_counter() - start) / 20

        def through_ray(t, p):
            start = time.perf_counter()
            # All the cores, as the process by hand has: Ray sets OMP_NUM_THREADS to a task's num_cpus,
            # and oodsynth's matrix products follow it.
            ray.get(remote.options(num_cpus=os.cpu_count()).remote(t, p["cwd"], oodsynth, os.path.join(p["cwd"], p["work"])))
            return time.perf_counter() - start

        through_ray(one, small)  # warm the worker pool
        pairs, fixed = [], []
        for _ in range(rounds):
            pairs.append((direct(task, big), through_ray(task, big)))
            fixed.append(direct(one, small))
    finally:
        ray.shutdown()
    by_hand = statistics.median(p[0] for p in pairs)
    via_ray = statistics.median(p[1] for p in pairs)
    overhead = statistics.median(p[1] - p[0] for p in pairs)
    print(f"ray-run overhead per task: {overhead:.2f} s on a 1,000-image decode | embed task of {by_hand:.1f} s "
          f"({100 * overhead / by_hand:.1f}%; through Ray {via_ray:.1f} s; median of {rounds} alternated rounds); "
          f"a no-op Ray task {1000 * noop_seconds:.1f} ms; a 1-image task (process start, model load) "
          f"{statistics.median(fixed):.2f} s")


if __name__ == "__main__":
    main()
