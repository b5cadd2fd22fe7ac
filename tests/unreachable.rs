//! Every command that talks to AWS, with nothing listening at the endpoint (the emulator
//! stopped): a clear "cannot reach the AWS endpoint" error, exit 1, no panic, and no more
//! attempts than the SDK's retry budget (standard mode: 3 per request).

use std::process::{Command, Stdio};

/// Nothing listens on port 1 of the loopback: connections are refused at once.
const NOWHERE: &str = "http://127.0.0.1:1";

/// A zip deploy accepts offline (an arm64 ELF header named bootstrap): the test is about
/// what comes after.
const LAMBDA_ZIP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/bootstrap.zip");

#[test]
fn every_aws_command_says_it_cannot_reach_the_endpoint() {
    let fs = "fs-0123456789abcdef0";
    let commands: Vec<Vec<&str>> = vec![
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
    ];
    for args in commands {
        let output = Command::new(env!("CARGO_BIN_EXE_fsx-drt"))
            .args(&args)
            .args(["--verbose", "--no-input"])
            .env_clear()
            .env("AWS_ENDPOINT_URL", NOWHERE)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
            .env(
                "AWS_SECRET_ACCESS_KEY",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            )
            .stdin(Stdio::null())
            .output()
            .unwrap();
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
