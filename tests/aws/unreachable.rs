//! Every command that talks to AWS, with nothing listening at the endpoint (the emulator
//! stopped): a clear "cannot reach the AWS endpoint" error, exit 1, no panic, and no more
//! attempts than the SDK's retry budget (standard mode: 3 per request). With an endpoint that
//! takes connections and never answers: exit 1 in bounded time, and Ctrl-C ends each at once.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Nothing listens on port 1 of the loopback: connections are refused at once.
const NOWHERE: &str = "http://127.0.0.1:1";

/// A zip deploy accepts offline (an arm64 ELF header named bootstrap): the test is about
/// what comes after.
const LAMBDA_ZIP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/bootstrap.zip");

/// Every command that calls AWS, as a CI job would run it.
fn aws_commands() -> Vec<Vec<&'static str>> {
    let fs = "fs-0123456789abcdef0";
    vec![
        vec![
            "deploy",
            "--stack-name",
            "s",
            "--yes",
            "--lambda-zip",
            LAMBDA_ZIP,
            "--file-system-id",
            fs,
            "--email",
            "ops@example.com",
        ],
        vec!["status", "--stack-name", "s"],
        vec!["status", "--stack-name", "s", "--watch"],
        vec!["destroy", "--stack-name", "s", "--yes"],
        vec!["run", "--stack-name", "s"],
        vec!["run", "--stack-name", "s", "--direct", "--wait"],
        vec!["tasks", "--stack-name", "s"],
        vec!["tasks", "cancel", "task-0123456789abcdef0"],
        vec!["plan", "--file-system-id", fs, "--email", "ops@example.com"],
    ]
}

/// fsx-drt with test credentials, talking to `endpoint` only.
fn fsx_drt(args: &[&str], endpoint: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fsx-drt"));
    command
        .args(args)
        .args(["--verbose", "--no-input"])
        .env_clear()
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .stdin(Stdio::null());
    command
}

#[test]
fn every_aws_command_says_it_cannot_reach_the_endpoint() {
    for args in aws_commands() {
        let output = fsx_drt(&args, NOWHERE).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("help: cannot reach the AWS endpoint"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}: nothing on stdout");
        // The first request was tried as often as the retry budget allows, and nothing after it.
        let attempts: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("aws: ") && l.contains(" -> "))
            .collect();
        assert!((1..=3).contains(&attempts.len()), "{args:?}: {attempts:?}");
        let first = attempts[0].split(" -> ").next().unwrap();
        assert!(
            attempts.iter().all(|a| a.starts_with(first)),
            "{args:?}: {attempts:?}"
        );
        assert!(attempts[0].contains("not sent"), "{args:?}: {attempts:?}");
    }
}

/// An endpoint that takes every connection and never answers (a firewall dropping replies,
/// a hung proxy). Its connections stay open while the test runs.
fn black_hole() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().collect();
        drop(held);
    });
    endpoint
}

/// The process's exit code, or None if it has not ended within `limit` (it is then killed).
fn ended_within(child: &mut std::process::Child, limit: Duration) -> Option<i32> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    None
}

#[test]
fn an_endpoint_that_never_answers_ends_in_bounded_time() {
    let endpoint = black_hole();
    let mut child = fsx_drt(&["status", "--stack-name", "x"], &endpoint)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // 3 attempts of 30 s each (README, "Exit codes"), well within the 3-min operation timeout.
    let code = ended_within(&mut child, Duration::from_secs(240));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(code, Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn ctrl_c_stops_every_aws_command_waiting_on_an_answer() {
    let endpoint = black_hole();
    for args in aws_commands() {
        let mut child = fsx_drt(&args, &endpoint)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Long enough for the first request to be in flight.
        std::thread::sleep(Duration::from_secs(1));
        let pid = child.id().to_string();
        let killed = Command::new("kill").args(["-INT", &pid]).status().unwrap();
        assert!(killed.success());
        let code = ended_within(&mut child, Duration::from_secs(3));
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert_eq!(code, Some(130), "{args:?}: {stderr}");
        assert!(stderr.contains("interrupted"), "{args:?}: {stderr}");
    }
}
