#!/usr/bin/env python3
"""A throwaway local Ray cluster for the ray-run tests: a head and worker nodes on 127.0.0.1.

    python3 Tests/interop/ray_cluster.py start DIR [--head-cpus N] [--workers N] [--worker-cpus N]
        Starts a head node (`ray start --head`, resources {"head": 1}) and N worker nodes
        (`ray start --address`, resources {"worker": 1}), each with its own --temp-dir under DIR and its
        own free ports, waits until every node is registered, writes DIR/cluster.json and prints the
        address (127.0.0.1:PORT) on stdout. DIR must be short (Ray's unix socket paths live in it):
        mktemp -d /tmp/rc.XXXX is fine.
    python3 Tests/interop/ray_cluster.py stop DIR
        Kills every process started for this cluster (found by DIR in its command line or in its
        open files, so other Ray instances on the machine are left alone; plain `ray stop` would
        stop them all) and removes DIR.
    python3 Tests/interop/ray_cluster.py wait-start DIR EVENTS [--nth K] [--timeout S]
        Waits until the event log EVENTS (ray-run's WORK/ray-events.jsonl) holds K "start" events
        on worker nodes (any worker node; default K 1), and prints that node's name (worker1...)
        and raylet pid: the lost-node test kills that pid.

DIR/cluster.json: {"address": "127.0.0.1:P", "nodes": [{"name": "head" | "worker1"..., "node_id",
"raylet_pid", "temp_dir"}]}.

Node death is noticed by the GCS health check: it probes every raylet each health_check_period_ms
and marks a node dead after health_check_failure_threshold failed probes (each waits up to
health_check_timeout_ms). Ray's defaults (3000 ms, 5, 10000 ms) take about 15 s after a raylet is
killed; this cluster starts the head with RAY_health_check_period_ms=500,
RAY_health_check_timeout_ms=500, RAY_health_check_failure_threshold=3 (HEALTH below), which marks a
killed raylet's node dead in 1-2 s.
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time

HEALTH = {
    "RAY_health_check_initial_delay_ms": "1000",
    "RAY_health_check_period_ms": "500",
    "RAY_health_check_timeout_ms": "500",
    "RAY_health_check_failure_threshold": "3",
}
OBJECT_STORE = str(100 * 1024 * 1024)


def free_ports(count):
    sockets, ports = [], []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
        ports.append(s.getsockname()[1])
    for s in sockets:
        s.close()
    return ports


def node_ports():
    names = ["--node-manager-port", "--object-manager-port", "--dashboard-agent-grpc-port",
             "--dashboard-agent-listen-port", "--runtime-env-agent-port", "--metrics-export-port"]
    return [x for name, port in zip(names, free_ports(len(names))) for x in (name, str(port))]


def environment():
    # A throwaway cluster for tests: no token authentication, whether or not ~/.ray/auth_token
    # exists (a local ray.init() makes one, and `ray start --head` then turns tokens on).
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0", RAY_AUTH_MODE="disabled", **HEALTH)
    return env


def ray_start(arguments, log):
    with open(log, "ab") as out:
        done = subprocess.run(["ray", "start", *arguments], stdout=out, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, env=environment())
    if done.returncode != 0:
        sys.exit(f"ray_cluster: ray start failed (status {done.returncode}); see {log}")


def processes_of(directory):
    """(pid, command line) of every process whose command line names DIR, or that has a file in DIR
    open (Ray's agents retitle themselves, ray::DashboardAgent, but keep their logs in DIR open)."""
    found = []
    prefix = directory.rstrip("/") + "/"
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        mine = directory in command
        if not mine:
            try:
                for fd in os.listdir(f"/proc/{entry}/fd"):
                    try:
                        if os.readlink(f"/proc/{entry}/fd/{fd}").startswith(prefix):
                            mine = True
                            break
                    except OSError:
                        continue
            except OSError:
                continue
        if mine:
            found.append((int(entry), command))
    return found


def raylet_pid(temp_dir):
    for pid, command in processes_of(temp_dir):
        if "/raylet " in command or command.split(" ")[0].endswith("/raylet"):
            return pid
    return None


def start(args):
    directory = os.path.abspath(args.dir)
    os.makedirs(directory, exist_ok=True)
    log = os.path.join(directory, "ray-start.log")
    (port,) = free_ports(1)
    address = f"127.0.0.1:{port}"
    common = ["--node-ip-address", "127.0.0.1", "--object-store-memory", OBJECT_STORE, "--disable-usage-stats"]
    head_dir = os.path.join(directory, "head")
    ray_start(["--head", "--port", str(port), "--num-cpus", str(args.head_cpus), "--resources", '{"head": 1}',
               "--include-dashboard", "false", "--dashboard-port", str(free_ports(1)[0]), "--temp-dir", head_dir, *common, *node_ports()], log)
    nodes = [{"name": "head", "temp_dir": head_dir}]
    for index in range(1, args.workers + 1):
        worker_dir = os.path.join(directory, f"w{index}")
        ray_start(["--address", address, "--num-cpus", str(args.worker_cpus), "--resources", '{"worker": 1}',
                   "--temp-dir", worker_dir, *common, *node_ports()], log)
        nodes.append({"name": f"worker{index}", "temp_dir": worker_dir})
    for node in nodes:
        node["raylet_pid"] = raylet_pid(node["temp_dir"])
    # Node ids: the GCS's node table, matched to our nodes by the temp dir in the raylet's socket name.
    from ray._raylet import GcsClient
    gcs = GcsClient(address=address)
    deadline = time.time() + 60
    while True:
        table = [n for n in gcs.get_all_node_info().values() if n.state == 0]  # ALIVE
        for node in nodes:
            for info in table:
                if info.raylet_socket_name.startswith(node["temp_dir"] + "/"):
                    node["node_id"] = info.node_id.hex()
        if all("node_id" in n for n in nodes):
            break
        if time.time() > deadline:
            sys.exit("ray_cluster: the nodes did not all register within 60 s")
        time.sleep(0.2)
    with open(os.path.join(directory, "cluster.json"), "w") as f:
        json.dump({"address": address, "nodes": nodes}, f, indent=1)
    print(address)


def stop(args):
    directory = os.path.abspath(args.dir)
    # Twice: a raylet that dies may leave workers that exit on their own a moment later.
    for _ in range(2):
        found = processes_of(directory)
        for pid, _ in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.3)
    subprocess.run(["rm", "-rf", directory])


def wait_start(args):
    directory = os.path.abspath(args.dir)
    with open(os.path.join(directory, "cluster.json")) as f:
        cluster = json.load(f)
    workers = {n["node_id"]: n for n in cluster["nodes"] if n["name"] != "head"}
    deadline = time.time() + args.timeout
    while time.time() < deadline:
        seen = 0
        try:
            with open(args.events) as f:
                for line in f:
                    try:
                        event = json.loads(line)
                    except ValueError:
                        continue  # a line being written
                    if event.get("event") == "start" and event.get("node_id") in workers:
                        seen += 1
                        if seen == args.nth:
                            node = workers[event["node_id"]]
                            print(node["name"], node["raylet_pid"])
                            return
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    sys.exit(f"ray_cluster: no start event number {args.nth} on a worker node in {args.events} within {args.timeout} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("start")
    p.add_argument("dir")
    p.add_argument("--head-cpus", type=int, default=1)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--worker-cpus", type=int, default=1)
    p.set_defaults(run=start)
    p = commands.add_parser("stop")
    p.add_argument("dir")
    p.set_defaults(run=stop)
    p = commands.add_parser("wait-start")
    p.add_argument("dir")
    p.add_argument("events")
    p.add_argument("--nth", type=int, default=1)
    p.add_argument("--timeout", type=float, default=300)
    p.set_defaults(run=wait_start)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
