#!/usr/bin/env python3
"""Side-by-side benchmark of the Rust Lambda `bootstrap` and a Python reference handler.

Both run on this machine against the same local endpoints, served here on one loopback port:
the Lambda Runtime API (what Lambda gives a function: GET .../invocation/next, POST
.../invocation/<id>/response or /error) and the FSx JSON 1.1 API (POST / with X-Amz-Target).
Per run, one process is spawned, given one scheduled event, and killed once it has answered:

- cold start: from just before the spawn to the first GET /next arriving here;
- invocation: from the /next answer having been written to the POST .../response arriving
  (a failed invocation fails the benchmark instead of being timed);
- peak memory: VmHWM from /proc/PID/status, read once the result has been posted and just
  before the kill (the kernel's RSS high-water mark of the process's own address space). The
  child's ru_maxrss from os.wait4 is recorded too but not used: Linux keeps the spawning
  process's high-water mark across vfork+exec, so it reports at least this harness's RSS.

The deployment zips' sizes are measured too. The markdown section for BENCHMARKS.md goes to
stdout; progress goes to stderr. Standard library only. Run by `cargo xtask bench lambda`.
"""

import argparse
import datetime
import http.server
import io
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from pathlib import Path

from common import BenchError, fmt_ms, load_average, log, machine, measured_on, now_utc, run_main
from common import stats, table_head, times, write_json, yes

HERE = Path(__file__).resolve().parent
FS = "fs-0123456789abcdef0"
RULE = "arn:aws:events:us-east-1:123456789012:rule/fsx-drt-bench"
FUNCTION = "fsx-drt-bench"
MIB = 1024 * 1024

# Bounds: nothing here may hang.
START_TIMEOUT_S = 30.0
INVOKE_TIMEOUT_S = 60.0
PARKED_NEXT_S = 90.0
KILL_WAIT_S = 10.0

# boto3 and what it installs with (python-dateutil brings six).
BOTO3_CLOSURE = ["boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "urllib3", "six"]

GOAL_ZIP_BYTES = 3 * MIB
GOAL_COLD_START_MS = 20.0
GOAL_COLD_START_RATIO = 10.0
GOAL_PEAK_RSS_BYTES = 32 * MIB


class Run:
    """What the local endpoints saw of one process's life."""

    def __init__(self):
        self.request_id = str(uuid.uuid4())
        self.first_next_ns = None
        self.answered_ns = None
        self.posted_ns = None
        self.posted_kind = None  # "response" | "error" | "init-error"
        self.posted_body = None
        self.fsx_calls = []
        self.arrived = threading.Event()  # the first /next
        self.posted = threading.Event()  # a response or an error
        self.released = threading.Event()  # the process is gone: parked /next may end
        self.lock = threading.Lock()


def scheduled_event():
    now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": [RULE],
        "detail": {},
    }


def fsx_output(operation, body):
    """FSx's answer to one call, or None for an operation this fake does not know."""
    if operation == "DescribeFileSystems":
        return {
            "FileSystems": [
                {
                    "FileSystemId": FS,
                    "FileSystemType": "LUSTRE",
                    "Lifecycle": "AVAILABLE",
                    "LustreConfiguration": {"DeploymentType": "PERSISTENT_2"},
                }
            ]
        }
    if operation == "DescribeDataRepositoryAssociations":
        return {
            "Associations": [
                {
                    "AssociationId": "dra-0123456789abcdef0",
                    "FileSystemId": FS,
                    "FileSystemPath": "/data",
                    "DataRepositoryPath": "s3://bucket/data/",
                    "Lifecycle": "AVAILABLE",
                }
            ]
        }
    if operation == "DescribeDataRepositoryTasks":
        return {"DataRepositoryTasks": []}
    if operation == "CreateDataRepositoryTask":
        return {
            "DataRepositoryTask": {
                "TaskId": "task-0123456789abcdef0",
                "Lifecycle": "PENDING",
                "Type": body.get("Type"),
                "FileSystemId": body.get("FileSystemId", FS),
                "Paths": body.get("Paths", []),
                "Report": body.get("Report"),
                "CreationTime": time.time(),
            }
        }
    return None


class Endpoints(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fsx-drt-bench"
    # TCP_NODELAY: http.server writes the headers and the body separately; with Nagle on, the
    # body waits for the client's delayed ACK (40 ms on Linux) and every call looks that slow.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass

    def _body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():  # trailers, up to the empty line
                        pass
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()  # the CRLF after the chunk
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)
        self.wfile.flush()

    def do_GET(self):
        arrived = time.perf_counter_ns()
        if self.path != "/2018-06-01/runtime/invocation/next":
            self._send(404)
            return
        run = self.server.run
        with run.lock:
            first = run.first_next_ns is None
            if first:
                run.first_next_ns = arrived
        if not first:
            # As Lambda does between events: the poll stays unanswered until the process goes.
            run.released.wait(PARKED_NEXT_S)
            self.close_connection = True
            return
        run.arrived.set()
        deadline_ms = int(time.time() * 1000) + 60_000
        event = json.dumps(scheduled_event()).encode()
        self._send(
            200,
            event,
            [
                ("Content-Type", "application/json"),
                ("Lambda-Runtime-Aws-Request-Id", run.request_id),
                ("Lambda-Runtime-Deadline-Ms", str(deadline_ms)),
                (
                    "Lambda-Runtime-Invoked-Function-Arn",
                    f"arn:aws:lambda:us-east-1:123456789012:function:{FUNCTION}",
                ),
                (
                    "Lambda-Runtime-Trace-Id",
                    "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0",
                ),
            ],
        )
        run.answered_ns = time.perf_counter_ns()

    def do_POST(self):
        body = self._body()
        received = time.perf_counter_ns()
        run = self.server.run
        if self.path.startswith("/2018-06-01/runtime/"):
            if self.path.endswith("/response"):
                kind = "response"
            elif self.path.endswith("/init/error"):
                kind = "init-error"
            else:
                kind = "error"
            self._send(202, b'{"status":"OK"}', [("Content-Type", "application/json")])
            if not run.posted.is_set():
                if kind == "response" and f"/{run.request_id}/" not in self.path:
                    kind = "error"  # a response for another invocation is a failure too
                run.posted_ns = received
                run.posted_kind = kind
                run.posted_body = body
                run.posted.set()
            return
        target = self.headers.get("X-Amz-Target", "")
        operation = target.rsplit(".", 1)[-1]
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            request = {}
        run.fsx_calls.append(operation)
        output = fsx_output(operation, request)
        if output is None or not target.startswith("AWSSimbaAPIService_v20180301."):
            error = {"__type": "BadRequest", "message": f"unexpected operation {target!r}"}
            self._send(400, json.dumps(error).encode(), [("Content-Type", "application/x-amz-json-1.1")])
            return
        self._send(
            200,
            json.dumps(output).encode(),
            [
                ("Content-Type", "application/x-amz-json-1.1"),
                ("x-amzn-RequestId", str(uuid.uuid4())),
            ],
        )


class Server(http.server.ThreadingHTTPServer):
    """The endpoints of one run, on a fresh loopback port.

    One server per run: a request the previous (killed) process had already sent, such as its
    second GET /next, must never be taken for the next process's.
    """

    daemon_threads = True

    def __init__(self, run):
        super().__init__(("127.0.0.1", 0), Endpoints)
        self.run = run

    @property
    def address(self):
        return f"127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request, client_address):
        # A killed function's kept-alive connections are reset: expected, not worth a traceback.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


def environment(address, home, extra):
    """A clean environment: what Lambda gives a function plus the function's own variables."""
    env = {
        "AWS_LAMBDA_RUNTIME_API": address,
        "AWS_ENDPOINT_URL": f"http://{address}",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_SESSION_TOKEN": "bench-session-token",
        # No instance metadata, shared config or credentials files: nothing outside loopback.
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(home / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-aws-credentials"),
        "HOME": str(home),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "AWS_LAMBDA_FUNCTION_NAME": FUNCTION,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{FUNCTION}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/01/01/[$LATEST]0123456789abcdef",
        "FILE_SYSTEM_ID": FS,
        "TASK_TYPE": "EXPORT_TO_REPOSITORY",
        "FSX_PATHS": "/data",
        "COMPLETION_REPORT_PATH": "/fsx-drt-completion-reports",
        "RELEASE_AFTER_DAYS": "30",
        "METRIC_NAMESPACE": "FsxDrt",
    }
    env.update(extra)
    return env


def vm_hwm(pid):
    """VmHWM of a live process, in bytes, or None."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def measure_once(side, argv, env, cwd, output):
    """One process, one invocation, its own endpoints. Returns a dict of the measurements.

    `env(address)` gives the process's environment for the endpoints' address. The process's
    stdout and stderr go to the file `output` (its log, for error messages).
    """
    run = Run()
    server = Server(run)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="endpoints", daemon=True)
    thread.start()
    try:
        return _measure_once(side, argv, env(server.address), cwd, output, run)
    except BenchError as e:
        output.flush()
        output.seek(0)
        tail = output.read()[-3000:].decode("utf-8", "replace")
        raise BenchError(f"{e}\n--- the process's output (last 3000 bytes) ---\n{tail}") from None
    finally:
        run.released.set()
        server.shutdown()
        server.server_close()


def _measure_once(side, argv, env, cwd, output, run):
    output.seek(0)
    output.truncate()
    started = time.perf_counter_ns()
    proc = subprocess.Popen(
        argv,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    rusage = None  # set once the process has been reaped
    hwm = None
    try:
        start_by = time.monotonic() + START_TIMEOUT_S
        while not run.posted.wait(0.01):
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                rusage = usage
                when = "without posting a result" if run.arrived.is_set() else "before asking for an event"
                raise BenchError(f"{side}: the process exited (wait status {status:#x}) {when}")
            now = time.monotonic()
            if not run.arrived.is_set() and now > start_by:
                raise BenchError(f"{side}: no GET /next within {START_TIMEOUT_S:.0f} s")
            if run.arrived.is_set() and now > start_by + INVOKE_TIMEOUT_S:
                raise BenchError(
                    f"{side}: no result within {INVOKE_TIMEOUT_S:.0f} s of the event (FSx calls: {run.fsx_calls})"
                )
        hwm = vm_hwm(proc.pid)
    finally:
        if rusage is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            give_up = time.monotonic() + KILL_WAIT_S
            while True:
                pid, _, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    rusage = usage
                    break
                if time.monotonic() > give_up:
                    raise BenchError(f"{side}: pid {proc.pid} survived SIGKILL for {KILL_WAIT_S:.0f} s")
                time.sleep(0.002)
        proc.returncode = -signal.SIGKILL  # reaped by wait4: keep Popen from waiting again
        run.released.set()

    if run.posted_kind != "response":
        raise BenchError(
            f"{side}: the invocation failed ({run.posted_kind}, calls {run.fsx_calls}): "
            + run.posted_body.decode("utf-8", "replace")[:2000]
        )
    try:
        result = json.loads(run.posted_body)
    except ValueError as e:
        raise BenchError(f"{side}: the response is not JSON ({e}): {run.posted_body[:500]!r}")
    check_result(side, result)
    if hwm is None:
        raise BenchError(f"{side}: could not read VmHWM of pid {proc.pid}")
    if run.answered_ns is None or run.posted_ns < run.answered_ns:
        raise BenchError(f"{side}: the result arrived before the event was seen to be sent")
    return {
        "cold_start_ms": (run.first_next_ns - started) / 1e6,
        "invoke_ms": (run.posted_ns - run.answered_ns) / 1e6,
        "peak_rss_bytes": hwm,
        "wait4_maxrss_bytes": rusage.ru_maxrss * 1024,
        "cpu_ms": (rusage.ru_utime + rusage.ru_stime) * 1000,
        "fsx_calls": list(run.fsx_calls),
    }


def check_result(side, result):
    if side == "rust":
        ok = (
            isinstance(result, dict)
            and result.get("Outcome") == "created"
            and result.get("TaskId") == "task-0123456789abcdef0"
            and result.get("Lifecycle") == "PENDING"
        )
    else:
        task = result.get("DataRepositoryTask", {}) if isinstance(result, dict) else {}
        ok = (
            task.get("TaskId") == "task-0123456789abcdef0"
            and task.get("Lifecycle") == "PENDING"
            and task.get("Paths") == ["/data"]
            and (task.get("Report") or {}).get("Path") == "s3://bucket/data/fsx-drt-completion-reports"
            and isinstance(task.get("CreationTime"), str)
        )
    if not ok:
        raise BenchError(f"{side}: unexpected response: {json.dumps(result)[:2000]}")


def deflate_zip(entries):
    """A deflated zip (level 9, fixed time, mode 0755 for executables) of (name, bytes, exe)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data, executable in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = ((0o100755 if executable else 0o100644) & 0xFFFF) << 16
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


def find_artifact_zip(target):
    """The newest fsx-drt-lambda*.zip under target/ (what `cargo xtask lambda` produced)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(target):
        # The build trees and venvs hold no deployment zip and are large.
        dirnames[:] = [
            d for d in dirnames if d not in ("deps", "build", ".fingerprint", "incremental") and not d.startswith("venv")
        ]
        for name in filenames:
            if name.startswith("fsx-drt-lambda") and name.endswith(".zip"):
                found.append(Path(dirpath) / name)
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def python_facts(python):
    """Versions and installed sizes, as the venv's interpreter sees them."""
    script = r"""
import io, json, os, platform, sys, zipfile
from importlib.metadata import distribution, PackageNotFoundError
bundle = io.BytesIO()
bundled = zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED, compresslevel=9)
closure = set(sys.argv[1:])
def size(name):
    d = distribution(name)
    total = 0
    for f in d.files or []:
        p = d.locate_file(f)
        try:
            total += os.path.getsize(p)
        except OSError:
            continue
        if name in closure and "__pycache__" not in f.parts and not str(f).startswith(".."):
            bundled.write(p, str(f))
    return d.version, total
out = {"python": platform.python_version(), "packages": {}}
for name in ["awslambdaric", *sys.argv[1:]]:
    try:
        version, total = size(name)
        out["packages"][name] = {"version": version, "bytes": total}
    except PackageNotFoundError:
        pass
bundled.close()
out["bundle_zip_bytes"] = len(bundle.getvalue())
print(json.dumps(out))
"""
    output = subprocess.run(
        [python, "-c", script, *BOTO3_CLOSURE], capture_output=True, text=True, timeout=300, check=True
    )
    return json.loads(output.stdout)


def fmt_mib(s):
    return f"{s['median'] / MIB:.1f} MiB ({s['min'] / MIB:.1f}–{s['max'] / MIB:.1f})"


def fmt_size(n):
    if n < MIB:
        return f"{n / 1024:.1f} KiB ({n:,} B)"
    return f"{n / MIB:.2f} MiB ({n:,} B)"


def markdown(results):
    r, p = results["rust"], results["python"]
    facts = results["python_facts"]
    pkgs = facts["packages"]
    m = results["machine"]
    zips = results["zips"]
    lines = []
    add = lines.append
    add("## Lambda (`cargo xtask bench lambda`)")
    add("")
    add(
        f"{measured_on(results['date'], m)}; Python {facts['python']}. {results['runs']} measured runs per side "
        f"(after {results['warmup']} discarded warm-up run each), the two sides alternating; "
        f"{load_average(results['load_before'], results['load_after'])}."
    )
    add("")
    add(table_head("measure", "Rust `bootstrap`", "Python reference", "Python / Rust"))
    for key, label, fmt in (
        ("cold_start_ms", "cold start: spawn → first `GET /next` (median, min–max)", fmt_ms),
        ("invoke_ms", "one invocation: event answered → `POST …/response`", fmt_ms),
        ("peak_rss_bytes", "peak memory: max RSS of the process", fmt_mib),
        ("cpu_ms", "CPU time of the process's whole life (user + sys)", fmt_ms),
    ):
        rs, ps = stats(r[key]), stats(p[key])
        add(f"| {label} | {fmt(rs)} | {fmt(ps)} | {times(ps, rs)} |")
    rz, pz = zips["rust"], zips["python"]
    add(
        f"| deployment zip | {fmt_size(rz['bytes'])} ¹ | {fmt_size(pz['bytes'])} ² "
        f"| {pz['bytes'] / rz['bytes']:.4f}× |"
    )
    add("")
    add(f"¹ {rz['what']}  ")
    add(
        f"² {pz['what']} boto3 is not in it: Lambda's Python runtime provides it. Installed here, "
        f"boto3 {pkgs['boto3']['version']} + botocore {pkgs['botocore']['version']} take "
        f"{fmt_size(pkgs['boto3']['bytes'] + pkgs['botocore']['bytes'])} on disk, "
        f"{fmt_size(results['boto3_closure_bytes'])} with their dependencies "
        f"({', '.join(results['boto3_closure'])}); a function that bundled them would ship a "
        f"{fmt_size(facts['bundle_zip_bytes'])} zip (their files without `__pycache__`, deflated "
        f"the same way), {facts['bundle_zip_bytes'] / rz['bytes']:.1f}× the Rust zip."
    )
    add("")
    cold_r, cold_p = stats(r["cold_start_ms"])["median"], stats(p["cold_start_ms"])["median"]
    rss_r = stats(r["peak_rss_bytes"])["median"]
    rss_r_max = stats(r["peak_rss_bytes"])["max"]
    add(table_head("goal", "measured (Rust)", ""))
    add(f"| zip ≤ 3 MiB | {fmt_size(rz['bytes'])} | {yes(rz['bytes'] <= GOAL_ZIP_BYTES)} |")
    add(f"| cold start ≤ 20 ms | median {cold_r:.1f} ms | {yes(cold_r <= GOAL_COLD_START_MS)} |")
    add(
        f"| cold start ≥ 10× faster than the Python reference | {cold_p / cold_r:.1f}× "
        f"| {yes(cold_p / cold_r >= GOAL_COLD_START_RATIO)} |"
    )
    add(
        f"| peak memory ≤ 32 MiB | median {rss_r / MIB:.1f} MiB, max {rss_r_max / MIB:.1f} MiB "
        f"| {yes(rss_r_max <= GOAL_PEAK_RSS_BYTES)} |"
    )
    add("")
    add("Method (bench/lambda_bench.py, standard library only):")
    add("")
    add(
        "- A local server, a fresh one on a new loopback port for every run (so nothing a killed "
        "process had already sent can be taken for the next one's), plays both the Lambda Runtime API (`GET /2018-06-01/"
        "runtime/invocation/next` answers one EventBridge scheduled event with the Lambda-Runtime-* "
        "headers; a second `/next` is left hanging, as Lambda does between events; `POST …/response` "
        "and `…/error`) and the FSx JSON 1.1 API (`X-Amz-Target: AWSSimbaAPIService_v20180301.*`: one "
        "AVAILABLE association `/data` → `s3://bucket/data/`, no running task, a PENDING task "
        "created). Both functions get the same environment: `AWS_LAMBDA_RUNTIME_API` and "
        "`AWS_ENDPOINT_URL` pointing at it, dummy credentials, `AWS_REGION=us-east-1`, the Lambda "
        "variables, FILE_SYSTEM_ID, TASK_TYPE=EXPORT_TO_REPOSITORY, FSX_PATHS=/data, "
        "COMPLETION_REPORT_PATH, RELEASE_AFTER_DAYS=30, METRIC_NAMESPACE; stdout and stderr go to "
        "a temporary file (its tail is shown when a run fails). The Python side logs at DEBUG "
        "like the reference, botocore's records included; the Rust side at its default INFO."
    )
    add(
        "- Each run spawns a fresh process, serves it one event, checks the posted result (Rust: "
        "`Outcome` \"created\" with the task; Python: the CreateDataRepositoryTask response) — a "
        "failed invocation fails the benchmark — then SIGKILLs it and reaps it with `os.wait4`."
    )
    add(
        "- Cold start: `time.perf_counter_ns()` just before `subprocess.Popen` to the first "
        "`GET /next` reaching the server (so process creation, dynamic loading, the runtime's and "
        "the function's init — for Rust, building the SDK clients; for Python, importing "
        "awslambdaric, the handler module and boto3 — are all in). Invocation: from the `/next` "
        "answer having been written to the `POST …/response` having been read."
    )
    w_r, w_p = stats(r["wait4_maxrss_bytes"]), stats(p["wait4_maxrss_bytes"])
    add(
        "- Peak memory: VmHWM from /proc/PID/status, read after the result was posted, just before "
        "the kill (the kernel's high-water mark of the process's resident set, shared library and "
        "executable pages it touched included). `ru_maxrss` from `os.wait4` is not used: Linux "
        "carries the spawning process's high-water mark across vfork+exec into the child's, so it "
        f"read {fmt_mib(w_r)} for Rust and {fmt_mib(w_p)} for Python with this harness at "
        f"{results['harness_rss_bytes'] / MIB:.1f} MiB — a floor set by the harness, not the function."
    )
    add(
        "- CPU time: user + system time of the process from the same `os.wait4` (this one counts the "
        "child alone), over its whole life: init plus the one invocation. Unlike the wall times it "
        "hardly moves when other work shares the machine."
    )
    add(
        f"- Rust: `{results['rust_binary']}` — the host (x86_64) build of package fsx-drt-core, bin "
        "bootstrap, `--profile lambda`, run as is. It makes the four FSx calls of a run "
        f"({', '.join(r['fsx_calls'][0])}); nothing is published to CloudWatch on this path."
    )
    add(
        f"- Python: bench/reference_handler.py (written for this benchmark to do per invocation what "
        f"the reference's inline function does: DEBUG logging of the event, an FSx client created in "
        f"the call, the first AVAILABLE association, one task for its whole path; "
        f"{', '.join(p['fsx_calls'][0])}) under the official runtime interface client, "
        f"`python -m awslambdaric reference_handler.handler`, from target/venv-bench "
        f"(awslambdaric {pkgs['awslambdaric']['version']}, boto3 {pkgs['boto3']['version']}, "
        f"botocore {pkgs['botocore']['version']}, pinned in bench/requirements.txt), with the "
        f"handler unpacked from its zip into a temporary task root as its working directory. "
        f"AWS runs the reference on Python 3.12; this machine has {facts['python']}."
    )
    add(
        "- Not measured: Lambda's own sandbox start and code download, which come before a "
        "function's process exists and are the same for both; network latency to FSx (the fake "
        "answers on loopback at once). The page cache is warm for both sides (warm-up run)."
    )
    add("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rust", required=True, type=Path, help="the host-built bootstrap")
    parser.add_argument("--python-venv", required=True, type=Path, help="venv with awslambdaric and boto3")
    parser.add_argument("--target", type=Path, default=HERE.parent / "target", help="where to look for the artifact zip")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the raw measurements here")
    args = parser.parse_args()
    if args.runs < 5:
        parser.error("--runs must be at least 5")
    rust = args.rust.resolve()
    python = (args.python_venv / "bin" / "python").absolute()
    for path in (rust, python):
        if not path.is_file():
            parser.error(f"{path} does not exist")

    handler_source = (HERE / "reference_handler.py").read_bytes()
    python_zip = deflate_zip([("reference_handler.py", handler_source, False)])
    rust_binary = rust.read_bytes()
    host_zip = deflate_zip([("bootstrap", rust_binary, True)])
    artifact = find_artifact_zip(args.target)
    if artifact is not None:
        when = datetime.datetime.fromtimestamp(artifact.stat().st_mtime, datetime.timezone.utc)
        rust_zip = {
            "bytes": artifact.stat().st_size,
            "what": (
                f"The deployment artifact `{artifact.relative_to(args.target.parent) if artifact.is_relative_to(args.target.parent) else artifact}` "
                f"(from `cargo xtask lambda`: arm64, {when:%Y-%m-%d %H:%M} UTC). For comparison, the "
                f"x86_64 host build measured here ({len(rust_binary):,} B) zipped the same way "
                f"(deflate, `bootstrap` at the root) is {fmt_size(len(host_zip))}."
            ),
        }
    else:
        rust_zip = {
            "bytes": len(host_zip),
            "what": (
                "No `cargo xtask lambda` artifact (fsx-drt-lambda*.zip under target/) was found: this "
                f"is the x86_64 host build measured here ({len(rust_binary):,} B) zipped the way xtask "
                "zips the artifact (deflate level 9, `bootstrap` at the root)."
            ),
        }
    pz = {
        "bytes": len(python_zip),
        "what": "bench/reference_handler.py alone, deflated (the reference ships its code inline; this is its zip equivalent).",
    }

    facts = python_facts(str(python))
    for needed in ("awslambdaric", "boto3", "botocore"):
        if needed not in facts["packages"]:
            raise BenchError(f"{needed} is not installed in {args.python_venv}")
    closure = [name for name in BOTO3_CLOSURE if name in facts["packages"]]
    closure_bytes = sum(facts["packages"][n]["bytes"] for n in closure)

    results = {"rust": {}, "python": {}, "load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="fsx-drt-bench-") as tmp:
        tmp = Path(tmp)
        home = tmp / "home"
        home.mkdir()
        task_root = tmp / "task"
        task_root.mkdir()
        with zipfile.ZipFile(io.BytesIO(python_zip)) as archive:
            archive.extractall(task_root)
        rust_dir = tmp / "rust"
        rust_dir.mkdir()
        sides = {
            "rust": ([str(rust)], lambda address: environment(address, home, {}), str(rust_dir)),
            "python": (
                [str(python), "-m", "awslambdaric", "reference_handler.handler"],
                lambda address: environment(
                    address,
                    home,
                    {
                        "LAMBDA_TASK_ROOT": str(task_root),
                        "_HANDLER": "reference_handler.handler",
                        "PYTHONDONTWRITEBYTECODE": "1",
                    },
                ),
                str(task_root),
            ),
        }
        samples = {side: [] for side in sides}
        with open(tmp / "function-output.log", "w+b") as output:
            for i in range(args.warmup + args.runs):
                for side in ("rust", "python") if i % 2 == 0 else ("python", "rust"):
                    argv, env, cwd = sides[side]
                    sample = measure_once(side, argv, env, cwd, output)
                    tag = "warm-up" if i < args.warmup else f"run {i - args.warmup + 1}/{args.runs}"
                    log(
                        f"{side:6} {tag:9} cold start {sample['cold_start_ms']:7.1f} ms  invocation "
                        f"{sample['invoke_ms']:7.1f} ms  peak RSS {sample['peak_rss_bytes'] / MIB:6.1f} MiB"
                    )
                    if i >= args.warmup:
                        samples[side].append(sample)

    own_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    for side in samples:
        results[side] = {
            key: [s[key] for s in samples[side]]
            for key in ("cold_start_ms", "invoke_ms", "peak_rss_bytes", "wait4_maxrss_bytes", "cpu_ms")
        }
        results[side]["fsx_calls"] = [s["fsx_calls"] for s in samples[side]]
    results.update(
        {
            "date": now_utc(),
            "machine": machine(),
            "runs": args.runs,
            "warmup": args.warmup,
            "zips": {"rust": rust_zip, "python": pz},
            "python_facts": facts,
            "boto3_closure": closure,
            "boto3_closure_bytes": closure_bytes,
            "harness_rss_bytes": own_rss,
            "load_after": os.getloadavg()[0],
            "rust_binary": os.path.relpath(rust, HERE.parent) if str(rust).startswith(str(HERE.parent)) else str(rust),
        }
    )
    if args.json:
        write_json(args.json, results)
    print(markdown(results))
    return 0


if __name__ == "__main__":
    run_main(main, "lambda_bench")
