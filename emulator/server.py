#!/usr/bin/env python3
"""fsx-drt's local AWS: moto in server mode plus the FSx extension.

Usage (normally through emulator/setup.sh, which provides the venv):

    python emulator/server.py [--port N] [--region R] [--verbose]
        Serve in the foreground on 127.0.0.1 until SIGINT/SIGTERM.
        --port 0 (the default) picks a free port.
    python emulator/server.py --detach [--port N] [--region R]
        Start the server in the background and return once it answers.
        If one is already running (pid file), reuse it.
    python emulator/server.py --stop
        Stop the background server started by --detach.

On start it seeds, in the region (--region, else AWS_REGION, else
AWS_DEFAULT_REGION, else us-east-1) of moto's account (MOTO_ACCOUNT_ID, else
123456789012): a PERSISTENT_2 FSx for Lustre file system, one AVAILABLE data
repository association /data -> s3://fsx-drt-demo-data/data/, and that S3
bucket. Then it prints, and flushes, exactly:

    AWS_ENDPOINT_URL=http://127.0.0.1:PORT
    AWS_REGION=us-east-1
    FILE_SYSTEM_ID=fs-0123456789abcdef0

With --detach the same lines go to target/emulator.env, the server's pid to
target/emulator.pid and its stdout/stderr to target/emulator.log (all under the
repository root, found from this file's location; they can be moved with
FSX_DRT_EMULATOR_ENV_FILE / FSX_DRT_EMULATOR_PID_FILE / FSX_DRT_EMULATOR_LOG).
A --detach while the pid file names a live, answering server reuses it (its
port and region win; --stop first to change them); a pid file whose process is
gone or is not this script is removed as stale.

Every AWS request is appended to the request log (FSX_DRT_EMULATOR_REQUEST_LOG,
default target/emulator-requests.log, truncated when a server starts), one
line each, fields separated by single spaces:

    <UTC time ISO-8601 ms> <method> <service> <operation> <path> <status>
    2025-01-01T12:00:00.123Z POST fsx AWSSimbaAPIService_v20180301.CreateDataRepositoryTask / 200
    2025-01-01T12:00:00.456Z POST cloudformation CreateStack / 200

service is the SigV4 credential scope's service ("-" if unsigned), operation the
X-Amz-Target header, else the form body's Action (query protocols such as
CloudFormation, IAM, SNS), else "-" (REST protocols such as S3 or Lambda: see
the path). Requests to the emulator's own endpoints below are not logged.

Emulator endpoints (not AWS; under /__fsx_drt_emulator/):
    GET  /__fsx_drt_emulator/health        -> {"status": "ok", "region", "file_system_id"}
    POST /__fsx_drt_emulator/associations  body {"FileSystemId", "FileSystemPath",
         "DataRepositoryPath", "Lifecycle"?, "S3"?, "FailureMessage"?,
         "Region"?, "AccountId"?} -> {"Association": {...}}; seeds an
         association in any lifecycle (e.g. MISCONFIGURED), which the FSx API
         cannot do.
    POST /__fsx_drt_emulator/auto-export   body {"FileSystemId", "Running": true|false,
         "Region"?, "AccountId"?} -> {"FileSystemId", "Running", "AssociationIds"};
         marks automatic export as running on the file system (it needs an
         association with S3.AutoExportPolicy.Events): while it runs,
         CreateDataRepositoryTask of an EXPORT_TO_REPOSITORY task fails with
         DataRepositoryTaskExecuting (AWS documents no error for it; see README).
    GET  /__fsx_drt_emulator/stack-delay   -> {"Seconds": N}
    POST /__fsx_drt_emulator/stack-delay   body {"Seconds": N} -> {"Seconds": N};
         CloudFormation stack operations ending from then on show as in
         progress until N seconds after they started (0: off). At start the
         delay is FSX_DRT_EMULATOR_STACK_DELAY (unset: 0). See stack_delay.py.
    GET  /__fsx_drt_emulator/stack-set-delay   -> {"Seconds": N}
    POST /__fsx_drt_emulator/stack-set-delay   body {"Seconds": N} -> {"Seconds": N};
         each StackSets operation starting from then on stays RUNNING at least N
         seconds (0: off). At start FSX_DRT_EMULATOR_STACK_SET_DELAY (unset: 0).
         See stack_sets.py.

Task timing and the failure trigger are described in emulator/fsx_drt/__init__.py
(FSX_DRT_EMULATOR_PENDING_SECONDS, FSX_DRT_EMULATOR_TASK_SECONDS,
FSX_DRT_EMULATOR_CANCEL_SECONDS, FSX_DRT_EMULATOR_STATUS_REFRESH_SECONDS; a task
path containing "fail" ends FAILED).
moto's own settings and endpoints apply too, e.g. MOTO_ACCOUNT_ID; note that
POST /moto-api/reset also wipes the seeded file system and association.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import errno
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterable

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
TARGET_DIR = REPO_ROOT / "target"
PID_FILE = Path(os.environ.get("FSX_DRT_EMULATOR_PID_FILE", TARGET_DIR / "emulator.pid"))
ENV_FILE = Path(os.environ.get("FSX_DRT_EMULATOR_ENV_FILE", TARGET_DIR / "emulator.env"))
LOCK_FILE = PID_FILE.with_name(PID_FILE.name + ".lock")
SERVER_LOG = Path(os.environ.get("FSX_DRT_EMULATOR_LOG", TARGET_DIR / "emulator.log"))
REQUEST_LOG = Path(os.environ.get("FSX_DRT_EMULATOR_REQUEST_LOG", TARGET_DIR / "emulator-requests.log"))
ADMIN_PREFIX = "/__fsx_drt_emulator"
HOST = "127.0.0.1"
DEFAULT_ACCOUNT_ID = "123456789012"
DETACH_TIMEOUT_SECONDS = 60.0


def _region(arg: str | None) -> str:
    return arg or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def _account_id() -> str:
    return os.environ.get("MOTO_ACCOUNT_ID") or DEFAULT_ACCOUNT_ID


def _env_lines(port: int, region: str, file_system_id: str) -> list[str]:
    return [
        f"AWS_ENDPOINT_URL=http://{HOST}:{port}",
        f"AWS_REGION={region}",
        f"FILE_SYSTEM_ID={file_system_id}",
    ]


# --------------------------------------------------------------------------
# WSGI middleware: request log + emulator endpoints
# --------------------------------------------------------------------------


class RequestLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        # Line-buffered append; truncated once per server start.
        self.fh = open(path, "w", buffering=1, encoding="utf-8")

    def write(self, method: str, service: str, operation: str, path: str, status: str) -> None:
        now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        line = f"{now} {method} {service} {operation} {path or '/'} {status}\n"
        with self.lock:
            self.fh.write(line)

    def close(self) -> None:
        with self.lock:
            self.fh.close()


def _service_from_auth(environ: dict[str, Any]) -> str:
    auth = environ.get("HTTP_AUTHORIZATION") or ""
    try:
        # AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/fsx/aws4_request, ...
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0]
        return scope.split("/")[3] or "-"
    except IndexError:
        pass
    # Presigned URLs carry the scope in the query string.
    cred = urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential")
    if cred:
        parts = cred[0].split("/")
        if len(parts) >= 4:
            return parts[3]
    return "-"


def _form_action(environ: dict[str, Any]) -> str | None:
    """The Action of a query-protocol request, leaving the body readable for moto."""
    query_action = urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    if query_action:
        return query_action[0]
    if not (environ.get("CONTENT_TYPE") or "").startswith("application/x-www-form-urlencoded"):
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length <= 0:
        return None
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    values = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action")
    return values[0] if values else None


def _json_response(start_response: Callable[..., Any], status: str, payload: Any) -> Iterable[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def _json_body(environ: dict[str, Any]) -> dict[str, Any]:
    """An emulator endpoint's JSON request body ({} when empty); ValueError when not an object."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = json.loads(environ["wsgi.input"].read(length) or b"{}")
    if not isinstance(body, dict):
        raise ValueError("the request body must be a JSON object")
    return body


class EmulatorApp:
    """Wraps moto's DomainDispatcherApplication."""

    def __init__(self, moto_app: Any, log: RequestLog, region: str, account_id: str, file_system_id: str) -> None:
        self.moto_app = moto_app
        self.log = log
        self.region = region
        self.account_id = account_id
        self.file_system_id = file_system_id

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if path.startswith(ADMIN_PREFIX + "/") or path == ADMIN_PREFIX:
            return self.admin(environ, start_response, path[len(ADMIN_PREFIX):])
        method = environ.get("REQUEST_METHOD", "-")
        service = _service_from_auth(environ)
        operation = environ.get("HTTP_X_AMZ_TARGET") or _form_action(environ) or "-"
        status_box: list[str] = []

        def recording_start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
            status_box.append(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        try:
            return self.moto_app(environ, recording_start_response)
        finally:
            quoted_path = urllib.parse.quote(path, safe="/%:@!$&'()*+,;=-._~")
            self.log.write(method, service, operation.replace(" ", "_"), quoted_path, status_box[-1] if status_box else "-")

    def admin(self, environ: dict[str, Any], start_response: Callable[..., Any], sub: str) -> Iterable[bytes]:
        import fsx_drt

        method = environ.get("REQUEST_METHOD")
        if sub in ("", "/", "/health") and method in ("GET", "HEAD"):
            return _json_response(
                start_response,
                "200 OK",
                {"status": "ok", "region": self.region, "file_system_id": self.file_system_id},
            )
        if sub in ("/associations", "/auto-export") and method == "POST":
            try:
                body = _json_body(environ)
                backend = fsx_drt.get_backend(body.get("Region") or self.region, body.get("AccountId") or self.account_id)
                if sub == "/auto-export":
                    if not isinstance(body.get("Running"), bool):
                        raise ValueError('want {"FileSystemId": ..., "Running": true|false}')
                    ids = backend.set_auto_export_running(body.get("FileSystemId"), body["Running"])
                    answer = {"FileSystemId": body["FileSystemId"], "Running": body["Running"], "AssociationIds": ids}
                    return _json_response(start_response, "200 OK", answer)
                dra = backend.seed_association(
                    file_system_id=body.get("FileSystemId"),
                    file_system_path=body.get("FileSystemPath"),
                    data_repository_path=body.get("DataRepositoryPath"),
                    lifecycle=body.get("Lifecycle") or "AVAILABLE",
                    s3=body.get("S3"),
                    tags=body.get("Tags"),
                    failure_message=body.get("FailureMessage"),
                    check_overlap=body.get("CheckOverlap", True),
                )
                return _json_response(start_response, "200 OK", {"Association": dra.to_dict()})
            except fsx_drt.FSxDrtError as exc:
                return _json_response(start_response, "400 Bad Request", json.loads(exc.description))
            except (ValueError, TypeError) as exc:
                return _json_response(start_response, "400 Bad Request", {"__type": "BadRequest", "Message": str(exc)})
        delays = {"/stack-delay": "stack_delay", "/stack-set-delay": "stack_sets"}
        if sub in delays and method in ("GET", "POST"):
            import importlib

            knob = importlib.import_module(delays[sub])  # configure(seconds) and current()
            if method == "POST":
                try:
                    knob.configure(float(_json_body(environ)["Seconds"]))
                except (ValueError, TypeError, KeyError) as exc:
                    return _json_response(start_response, "400 Bad Request", {"__type": "BadRequest", "Message": f"want {{\"Seconds\": N >= 0}}: {exc}"})
            return _json_response(start_response, "200 OK", {"Seconds": knob.current()})
        return _json_response(start_response, "404 Not Found", {"Message": f"unknown emulator endpoint {method} {sub}"})


# --------------------------------------------------------------------------
# Serving
# --------------------------------------------------------------------------


def serve(port: int, region: str, verbose: bool, write_state: bool) -> int:
    sys.path.insert(0, str(HERE))
    import logging

    import cbor_protocol
    import fsx_drt
    import lambda_code

    import moto_fixes
    import scheduler_resources
    import stack_delay
    import stack_rollback
    import stack_sets
    import template_fixes

    fsx_drt.install()
    moto_fixes.install()
    stack_rollback.install()  # after moto_fixes: outermost around ExecuteChangeSet
    scheduler_resources.install()
    template_fixes.install()
    stack_sets.install()
    lambda_code.install()
    try:
        stack_delay.from_environment()
        stack_sets.from_environment()
        # Read again at each task's creation; a typo should stop the server now, not fail a request.
        fsx_drt.task_durations()
        fsx_drt.status_refresh_seconds()
    except ValueError as exc:
        print(f"fsx-drt emulator: {exc}", file=sys.stderr)
        return 2
    from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    if not verbose:
        # Werkzeug logs every request to stderr; a caller that reads only our
        # stdout could otherwise block us by not draining a stderr pipe.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)

    account_id = _account_id()
    seeded = fsx_drt.seed_demo(region, account_id)
    log = RequestLog(REQUEST_LOG)
    app = EmulatorApp(
        cbor_protocol.CborToJson(DomainDispatcherApplication(create_backend_app)), log, region, account_id, seeded["FileSystemId"]
    )
    httpd = make_server(HOST, port, app, threaded=True, request_handler=MotoRequestHandler)
    port = httpd.server_port
    os.environ["MOTO_PORT"] = str(port)  # moto builds some self-referencing URLs from it

    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    thread = threading.Thread(target=httpd.serve_forever, name="moto-server", daemon=True)
    thread.start()

    lines = _env_lines(port, region, seeded["FileSystemId"])
    if write_state:
        _write_atomic(ENV_FILE, "".join(line + "\n" for line in lines))
        _write_atomic(PID_FILE, f"{os.getpid()}\n")
    try:
        sys.stdout.write("".join(line + "\n" for line in lines))
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    try:
        while not stop.wait(0.5):
            if not thread.is_alive():
                break
    finally:
        httpd.shutdown()
        thread.join(timeout=5)
        log.close()
        if write_state and _read_pid() == os.getpid():
            _remove(PID_FILE)
            _remove(ENV_FILE)
    return 0


# --------------------------------------------------------------------------
# --detach / --stop
# --------------------------------------------------------------------------


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _read_pid() -> int | None:
    try:
        return int(PID_FILE.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def _is_our_server(pid: int) -> bool:
    """True if pid is alive and is this script (guards against pid reuse)."""
    try:
        os.kill(pid, 0)
    except OSError as exc:
        if exc.errno == errno.ESRCH:
            return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True  # no /proc: trust the pid file
    if Path(f"/proc/{pid}/stat").exists():
        with contextlib.suppress(OSError, IndexError):
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if state == "Z":
                return False
    return any(arg.endswith(Path(__file__).name.encode()) for arg in cmdline)


def _read_env_file() -> dict[str, str]:
    try:
        text = ENV_FILE.read_text()
    except FileNotFoundError:
        return {}
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def _healthy(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(endpoint + ADMIN_PREFIX + "/health", timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


@contextlib.contextmanager
def _state_lock() -> Any:
    import fcntl

    LOCK_FILE.parent.mkdir(parents=True, exist_ok=True)
    with open(LOCK_FILE, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _print_env_file() -> None:
    sys.stdout.write(ENV_FILE.read_text())
    sys.stdout.flush()


def detach(port: int, region: str, verbose: bool) -> int:
    with _state_lock():
        pid = _read_pid()
        if pid is not None:
            env = _read_env_file()
            if _is_our_server(pid) and env.get("AWS_ENDPOINT_URL") and _healthy(env["AWS_ENDPOINT_URL"]):
                print(f"fsx-drt emulator already running (pid {pid}); reusing it", file=sys.stderr)
                _print_env_file()
                return 0
            if _is_our_server(pid):
                print(f"fsx-drt emulator pid {pid} does not answer; stopping it", file=sys.stderr)
                _terminate(pid)
            else:
                print(f"removing stale pid file {PID_FILE} (pid {pid})", file=sys.stderr)
            _remove(PID_FILE)
            _remove(ENV_FILE)
        _remove(ENV_FILE)

        SERVER_LOG.parent.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--port", str(port), "--region", region, "--write-state"]
        if verbose:
            cmd.append("--verbose")
        with open(SERVER_LOG, "ab") as log:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=str(REPO_ROOT),
                start_new_session=True,
                close_fds=True,
            )
        deadline = time.monotonic() + DETACH_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                print(f"fsx-drt emulator exited with status {proc.returncode}; see {SERVER_LOG}:", file=sys.stderr)
                with contextlib.suppress(OSError):
                    sys.stderr.write("".join(SERVER_LOG.read_text(errors="replace").splitlines(True)[-20:]))
                return 1
            env = _read_env_file()
            if _read_pid() == proc.pid and env.get("AWS_ENDPOINT_URL") and _healthy(env["AWS_ENDPOINT_URL"]):
                _print_env_file()
                return 0
            time.sleep(0.1)
        print(f"fsx-drt emulator did not answer within {DETACH_TIMEOUT_SECONDS:.0f} s; see {SERVER_LOG}", file=sys.stderr)
        _terminate(proc.pid)
        return 1


def _terminate(pid: int, timeout: float = 10.0) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _is_our_server(pid):
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def stop() -> int:
    with _state_lock():
        pid = _read_pid()
        if pid is None:
            print("fsx-drt emulator is not running (no pid file)", file=sys.stderr)
            _remove(ENV_FILE)
            return 0
        if _is_our_server(pid):
            _terminate(pid)
            print(f"fsx-drt emulator (pid {pid}) stopped", file=sys.stderr)
        else:
            print(f"removing stale pid file {PID_FILE} (pid {pid} is not running)", file=sys.stderr)
        _remove(PID_FILE)
        _remove(ENV_FILE)
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="fsx-drt local AWS emulator (moto + FSx data repository tasks)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0, the default: pick a free one)")
    parser.add_argument("--region", default=None, help="region to seed (default: AWS_REGION, else us-east-1)")
    parser.add_argument("--detach", action="store_true", help="run in the background; print the env lines once it answers")
    parser.add_argument("--stop", action="store_true", help="stop the background server")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr too (werkzeug)")
    parser.add_argument("--write-state", action="store_true", help=argparse.SUPPRESS)  # used by --detach
    args = parser.parse_args(argv)
    if args.stop:
        return stop()
    region = _region(args.region)
    if args.detach:
        return detach(args.port, region, args.verbose)
    return serve(args.port, region, args.verbose, args.write_state)


if __name__ == "__main__":
    sys.exit(main())
