//! The real executable against a local Lambda Runtime API and a local FSx endpoint: one
//! scheduled event in, the response it posts checked.
//!
//! By default this runs this crate's `bootstrap` built for the host (x86_64). To run the arm64
//! artifact, set FSX_DRT_BOOTSTRAP to its path and FSX_DRT_BOOTSTRAP_RUNNER to the emulator
//! (`qemu-aarch64 -L /usr/aarch64-linux-gnu`); `cargo xtask ci` does both.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fsx_drt_core::slot::Slot;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use serde_json::{json, Value};
use tiny_http::{Header, Request, Response, Server};

const FS: &str = "fs-0123456789abcdef0";
const RULE: &str = "arn:aws:events:us-east-1:123456789012:rule/fsx-drt-rule";
const REQUEST_ID: &str = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";

/// What the function posted back to the Runtime API.
#[derive(Debug)]
enum Posted {
    Response(Value),
    Error(String),
}

/// One local server for both the Runtime API and the FSx JSON API.
struct Fake {
    address: String,
    posted: Receiver<Posted>,
    fsx_calls: Arc<Mutex<Vec<(String, Value)>>>,
}

fn start(event: Value) -> Fake {
    let server = Server::http("127.0.0.1:0").unwrap();
    let address = server.server_addr().to_ip().unwrap().to_string();
    let (tx, posted) = channel();
    let fsx_calls = Arc::new(Mutex::new(Vec::new()));
    let calls = fsx_calls.clone();
    std::thread::spawn(move || serve(server, event, tx, calls));
    Fake {
        address,
        posted,
        fsx_calls,
    }
}

fn serve(
    server: Server,
    event: Value,
    tx: Sender<Posted>,
    calls: Arc<Mutex<Vec<(String, Value)>>>,
) {
    let mut delivered = false;
    // Later polls for the next event are parked here, unanswered, as Lambda does between events.
    let mut parked = Vec::new();
    for mut request in server.incoming_requests() {
        let url = request.url().to_string();
        let mut body = String::new();
        std::io::Read::read_to_string(request.as_reader(), &mut body).unwrap();
        if url == "/2018-06-01/runtime/invocation/next" {
            if delivered {
                parked.push(request);
                continue;
            }
            delivered = true;
            let response = Response::from_string(event.to_string())
                .with_header(header("Lambda-Runtime-Aws-Request-Id", REQUEST_ID))
                .with_header(header("Lambda-Runtime-Deadline-Ms", "4102444800000"))
                .with_header(header(
                    "Lambda-Runtime-Invoked-Function-Arn",
                    "arn:aws:lambda:us-east-1:123456789012:function:fsx-drt-test",
                ))
                .with_header(header("Content-Type", "application/json"));
            request.respond(response).unwrap();
        } else if url.starts_with("/2018-06-01/runtime/") {
            let posted = if url.ends_with("/response") {
                Posted::Response(serde_json::from_str(&body).unwrap_or(Value::String(body)))
            } else {
                Posted::Error(body)
            };
            request.respond(Response::empty(202)).unwrap();
            let _ = tx.send(posted);
        } else {
            fsx(request, &body, &calls);
        }
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap()
}

/// FSx's JSON protocol: the operation is in X-Amz-Target.
fn fsx(request: Request, body: &str, calls: &Mutex<Vec<(String, Value)>>) {
    let target = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("X-Amz-Target"))
        .map(|h| h.value.as_str().to_string())
        .unwrap_or_default();
    let (status, output) = fsx_answer(&target, body, calls);
    let response = Response::from_string(output.to_string())
        .with_status_code(status)
        .with_header(header("Content-Type", "application/x-amz-json-1.1"));
    request.respond(response).unwrap();
}

/// The fake FSx's answer (status and body) to one call, recorded in `calls`.
fn fsx_answer(target: &str, body: &str, calls: &Mutex<Vec<(String, Value)>>) -> (u16, Value) {
    let operation = target.rsplit('.').next().unwrap_or_default().to_string();
    let input: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    calls
        .lock()
        .unwrap()
        .push((operation.clone(), input.clone()));
    let output = match operation.as_str() {
        "DescribeFileSystems" => json!({"FileSystems": [{
            "FileSystemId": FS, "FileSystemType": "LUSTRE", "Lifecycle": "AVAILABLE",
            "LustreConfiguration": {"DeploymentType": "PERSISTENT_2"}
        }]}),
        "DescribeDataRepositoryAssociations" => json!({"Associations": [{
            "AssociationId": "dra-0123456789abcdef0", "FileSystemId": FS,
            "FileSystemPath": "/data", "DataRepositoryPath": "s3://bucket/data/",
            "Lifecycle": "AVAILABLE"
        }]}),
        "DescribeDataRepositoryTasks" => json!({"DataRepositoryTasks": []}),
        "CreateDataRepositoryTask" => json!({"DataRepositoryTask": {
            "TaskId": "task-0123456789abcdef0", "Lifecycle": "PENDING",
            "Type": input["Type"], "FileSystemId": FS, "Paths": input["Paths"],
            "CreationTime": 1764051300.0
        }}),
        _ => {
            return (
                400,
                json!({"__type": "BadRequest", "message": format!("unexpected {operation}")}),
            )
        }
    };
    (200, output)
}

/// The fake FSx over HTTPS on `localhost`, with the certificate of a test CA in tests/tls/
/// (made once with openssl: an EC P-256 CA and a server certificate for `localhost` and
/// 127.0.0.1, both valid until 2126). One call per connection (`Connection: close`), answered
/// as `fsx_answer` does. Returns the endpoint URL.
fn start_https_fsx(calls: Arc<Mutex<Vec<(String, Value)>>>) -> String {
    let chain = [
        &include_bytes!("tls/localhost.pem")[..],
        &include_bytes!("tls/ca.pem")[..],
    ];
    let certs: Vec<CertificateDer<'static>> = chain
        .iter()
        .map(|pem| CertificateDer::from_pem_slice(pem).unwrap())
        .collect();
    let key = PrivateKeyDer::from_pem_slice(include_bytes!("tls/localhost.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let (config, calls) = (config.clone(), calls.clone());
            std::thread::spawn(move || serve_https(tcp, config, &calls));
        }
    });
    format!("https://localhost:{port}")
}

/// One HTTP/1.1 call over TLS: the handshake, the request's X-Amz-Target and body, the answer.
fn serve_https(tcp: TcpStream, config: Arc<ServerConfig>, calls: &Mutex<Vec<(String, Value)>>) {
    let mut tls = StreamOwned::new(ServerConnection::new(config).unwrap(), tcp);
    let mut reader = BufReader::new(&mut tls);
    let (mut target, mut length) = (String::new(), 0);
    loop {
        let mut line = String::new();
        // A failed handshake (a client that does not trust the CA) ends here.
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let Some((name, value)) = line.trim_end().split_once(':') else {
            if line.trim_end().is_empty() {
                break;
            }
            continue;
        };
        match name.to_ascii_lowercase().as_str() {
            "x-amz-target" => target = value.trim().to_string(),
            "content-length" => length = value.trim().parse().unwrap(),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let (status, output) = fsx_answer(&target, &String::from_utf8_lossy(&body), calls);
    let output = output.to_string();
    write!(
        tls,
        "HTTP/1.1 {status} -\r\nContent-Type: application/x-amz-json-1.1\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{output}",
        output.len()
    )
    .unwrap();
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

fn spawn(fake: &Fake, overrides: &[(&str, &str)]) -> Child {
    command(fake, overrides)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The function as Lambda starts it: the runner (qemu) if any, the environment Lambda sets.
fn command(fake: &Fake, overrides: &[(&str, &str)]) -> Command {
    let bootstrap = std::env::var("FSX_DRT_BOOTSTRAP")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_bootstrap").to_string());
    let runner = std::env::var("FSX_DRT_BOOTSTRAP_RUNNER").unwrap_or_default();
    let mut words: Vec<&str> = runner.split_whitespace().collect();
    words.push(&bootstrap);
    let mut cmd = Command::new(words[0]);
    cmd.args(&words[1..])
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", &fake.address)
        .env("AWS_ENDPOINT_URL", format!("http://{}", fake.address))
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .env("AWS_LAMBDA_FUNCTION_NAME", "fsx-drt-test")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/fsx-drt-test")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/25/[$LATEST]0123")
        .env("FILE_SYSTEM_ID", FS)
        .env("TASK_TYPE", "EXPORT_TO_REPOSITORY")
        .env("FSX_PATHS", "/data/results \"/data/with space\"")
        .env("COMPLETION_REPORT_PATH", "/fsx-drt-completion-reports")
        .env("RELEASE_AFTER_DAYS", "30")
        .env("METRIC_NAMESPACE", "FsxDrt");
    for (name, value) in overrides {
        cmd.env(name, value);
    }
    cmd
}

/// What it posted, and its stdout (CloudWatch Logs), one JSON record per line.
fn run_logged(fake: &Fake, overrides: &[(&str, &str)]) -> (Posted, Vec<Value>) {
    let mut child = command(fake, overrides)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let posted = wait(fake, child);
    let mut out = String::new();
    stdout.read_to_string(&mut out).unwrap();
    let records = out
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    (posted, records)
}

fn wait(fake: &Fake, mut child: Child) -> Posted {
    for _ in 0..600 {
        if let Ok(posted) = fake.posted.recv_timeout(Duration::from_millis(100)) {
            let _ = child.kill();
            let _ = child.wait();
            return posted;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the function exited ({status}) without posting a result");
        }
    }
    let _ = child.kill();
    panic!("the function posted nothing within 60 s");
}

#[test]
fn a_scheduled_event_creates_the_task_and_posts_the_result() {
    let event = json!({
        "version": "0", "id": "3f0b8a9e-3c5e-4a3b-9d0a-1b2c3d4e5f60",
        "detail-type": "Scheduled Event", "source": "aws.events",
        "account": "123456789012", "time": "2026-11-25T06:15:00Z", "region": "us-east-1",
        "resources": [RULE], "detail": {}
    });
    let fake = start(event.clone());
    let child = spawn(&fake, &[]);
    let Posted::Response(result) = wait(&fake, child) else {
        panic!("the function reported an error")
    };
    assert_eq!(result["Outcome"], "created");
    assert_eq!(result["TaskId"], "task-0123456789abcdef0");
    assert_eq!(result["Lifecycle"], "PENDING");
    assert_eq!(result["Type"], "EXPORT_TO_REPOSITORY");
    assert_eq!(result["Paths"], json!(["data/results", "data/with space"]));

    let calls = fake.fsx_calls.lock().unwrap();
    let operations: Vec<&str> = calls.iter().map(|(op, _)| op.as_str()).collect();
    assert_eq!(
        operations,
        [
            "DescribeFileSystems",
            "DescribeDataRepositoryAssociations",
            "DescribeDataRepositoryTasks",
            "CreateDataRepositoryTask"
        ]
    );
    let create = &calls[3].1;
    assert_eq!(create["ClientRequestToken"], Slot::of(&event, "").token());
    assert_eq!(
        create["Report"]["Path"],
        "s3://bucket/data/fsx-drt-completion-reports"
    );
}

#[test]
fn a_bad_configuration_is_reported_naming_the_variable() {
    let fake = start(json!({}));
    let child = spawn(&fake, &[("FSX_PATHS", "relative/path")]);
    let Posted::Error(error) = wait(&fake, child) else {
        panic!("a bad configuration must not produce a result")
    };
    assert!(error.contains("FSX_PATHS"), "{error}");
    assert!(
        fake.fsx_calls.lock().unwrap().is_empty(),
        "no AWS call before the config is valid"
    );
}

fn schedule_event(task_type: &str) -> Value {
    json!({
        "Schedule": "nightly-release", "TaskType": task_type, "Paths": "/data/old",
        "TaskCompletionReportPath": "/reports", "ReleaseAfterDays": 14,
        "ScheduledTime": "2026-11-25T06:15:00Z",
        "ScheduleArn": "arn:aws:scheduler:us-east-1:123456789012:schedule/default/nightly-release"
    })
}

#[test]
fn a_schedule_s_event_runs_with_its_settings_on_the_function_s_file_system() {
    let event = schedule_event("Release");
    let fake = start(event.clone());
    // A function serving schedules needs FILE_SYSTEM_ID alone from its environment.
    let child = spawn(&fake, &[("TASK_TYPE", ""), ("FSX_PATHS", "")]);
    let Posted::Response(result) = wait(&fake, child) else {
        panic!("the function reported an error")
    };
    assert_eq!(result["Outcome"], "created");
    assert_eq!(result["Schedule"], "nightly-release");
    let calls = fake.fsx_calls.lock().unwrap();
    let create = &calls.last().unwrap().1;
    assert_eq!(create["FileSystemId"], FS);
    assert_eq!(create["Type"], "RELEASE_DATA_FROM_FILESYSTEM");
    assert_eq!(create["Paths"], json!(["data/old"]));
    assert_eq!(create["Report"]["Path"], "s3://bucket/data/reports");
    assert_eq!(
        create["Tags"][1],
        json!({"Key": "fsx-drt:schedule", "Value": "nightly-release"})
    );
    let invocation = fsx_drt_core::event::Invocation::of(&event, "").unwrap();
    assert_eq!(create["ClientRequestToken"], invocation.slot.token());
}

#[test]
fn a_bad_schedule_event_is_reported_naming_the_field() {
    let fake = start(schedule_event("Sync"));
    let child = spawn(&fake, &[]);
    let Posted::Error(error) = wait(&fake, child) else {
        panic!("a bad event must not produce a result")
    };
    assert!(
        error.contains("invalid event: TaskType=\\\"Sync\\\""),
        "{error}"
    );
    assert!(fake.fsx_calls.lock().unwrap().is_empty());
}

/// The function's own HTTPS client (rustls with ring, core/src/main.rs): a TLS handshake with
/// certificate checks against the trusted roots (SSL_CERT_FILE here), then the calls.
#[test]
fn the_function_calls_aws_over_https_with_a_trusted_certificate() {
    let fake = start(schedule_event("Export"));
    let endpoint = start_https_fsx(fake.fsx_calls.clone());
    let ca = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tls/ca.pem");
    let child = spawn(
        &fake,
        &[("AWS_ENDPOINT_URL", &endpoint), ("SSL_CERT_FILE", ca)],
    );
    let Posted::Response(result) = wait(&fake, child) else {
        panic!("the function reported an error")
    };
    assert_eq!(result["Outcome"], "created");
    let calls = fake.fsx_calls.lock().unwrap();
    let operations: Vec<&str> = calls.iter().map(|(op, _)| op.as_str()).collect();
    assert_eq!(operations.last(), Some(&"CreateDataRepositoryTask"));
}

#[test]
fn the_function_refuses_a_certificate_it_does_not_trust() {
    let fake = start(schedule_event("Export"));
    let endpoint = start_https_fsx(fake.fsx_calls.clone());
    // No SSL_CERT_FILE: the system's roots, which do not hold the test CA.
    let child = spawn(&fake, &[("AWS_ENDPOINT_URL", &endpoint)]);
    let Posted::Error(error) = wait(&fake, child) else {
        panic!("a server with an untrusted certificate must not be called")
    };
    assert!(
        fake.fsx_calls.lock().unwrap().is_empty(),
        "no call reached the server: {error}"
    );
}

/// Lambda's logging controls as the template sets them (LogFormat JSON, ApplicationLogLevel
/// INFO): JSON records, the run's summary among them; at ERROR a good run logs nothing.
#[test]
fn the_function_logs_json_records_at_lambda_s_log_level() {
    let fake = start(schedule_event("Export"));
    let json = ("AWS_LAMBDA_LOG_FORMAT", "JSON");
    let (posted, records) = run_logged(&fake, &[json, ("AWS_LAMBDA_LOG_LEVEL", "INFO")]);
    assert!(matches!(posted, Posted::Response(_)), "{posted:?}");
    let summary = records
        .iter()
        .find(|r| r["fields"]["message"] == "run finished")
        .unwrap_or_else(|| panic!("no summary record in {records:?}"));
    assert_eq!(summary["level"], "INFO");
    assert_eq!(summary["fields"]["task_id"], "task-0123456789abcdef0");
    assert_eq!(summary["fields"]["schedule"], "nightly-release");

    let fake = start(schedule_event("Export"));
    let (posted, records) = run_logged(&fake, &[json, ("AWS_LAMBDA_LOG_LEVEL", "ERROR")]);
    assert!(matches!(posted, Posted::Response(_)), "{posted:?}");
    assert_eq!(records, Vec::<Value>::new());
}
