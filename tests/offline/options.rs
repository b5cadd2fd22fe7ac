//! The stack options a platform team sets (tags, service role, event topics): a bad one is
//! exit 2 naming its flag, before any AWS call (nothing listens at the endpoint given).

use crate::cli::{fsx_drt, run};

#[test]
fn bad_stack_options_are_named_before_any_call() {
    let base = "deploy --stack-name s --yes --no-input --region us-east-1 --endpoint-url http://127.0.0.1:9 --file-system-id fs-0123456789abcdef0 --email ops@example.com";
    for (flag, value, says) in [
        ("--tags", "team", "not KEY=VALUE"),
        ("--tags", "aws:owner=me", "aws: are AWS's own"),
        ("--tags", "a=1,a=2", "given twice"),
        ("--role-arn", "deployer", "not an iam ARN"),
        (
            "--role-arn",
            "arn:aws:iam::123456789012:user/me",
            "not an iam ARN",
        ),
        (
            "--notification-arns",
            "arn:aws:sqs:us-east-1:123456789012:q",
            "not an sns ARN",
        ),
        (
            "--alarm-topic-arn",
            "arn:aws:sqs:us-east-1:123456789012:q",
            "not an sns ARN",
        ),
    ] {
        let out = run(fsx_drt().args(base.split(' ')).args([flag, value]));
        assert_eq!(out.code, 2, "{flag} {value}: {}", out.stderr);
        assert!(out.stderr.contains(flag), "{flag}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{flag} {value}: {}", out.stderr);
        assert!(!out.stderr.contains("cannot reach"), "{}", out.stderr);
    }
    let destroy = "destroy --stack-name s --yes --region us-east-1 --endpoint-url http://127.0.0.1:9 --role-arn nope";
    let out = run(fsx_drt().args(destroy.split(' ')));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--role-arn"), "{}", out.stderr);
}

/// The file's Tags are checked with the flag's rule before any call, and the flag's keys go
/// over the file's: more than 50 together is exit 2 too.
#[test]
fn bad_tags_in_the_file_are_named_before_any_call() {
    let base = "deploy --stack-name s --yes --no-input --region us-east-1 --endpoint-url http://127.0.0.1:9";
    let stack = "FileSystemId: fs-0123456789abcdef0\nEmailAddress: ops@example.com\n";
    let fifty: Vec<String> = (0..50).map(|i| format!("k{i}: v")).collect();
    for (tags, flags, place, says) in [
        ("{aws:team: hpc}", "", "Tags.aws:team", "aws: are AWS's own"),
        (
            fifty.join(", ").as_str(),
            "--tags k0=w,extra=1",
            "--tags and Tags",
            "51 tags",
        ),
    ] {
        let path = crate::cli::temp_file(
            &format!("tags-{}.yaml", flags.len()),
            &format!("{stack}Tags: {{{}}}\n", tags.trim_matches(['{', '}'])),
        );
        let out = run(fsx_drt()
            .args(base.split(' '))
            .arg("--parameters-file")
            .arg(&path)
            .args(flags.split(' ').filter(|f| !f.is_empty())));
        assert_eq!(out.code, 2, "{tags}: {}", out.stderr);
        assert!(out.stderr.contains(place), "{place}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{says}: {}", out.stderr);
        assert!(!out.stderr.contains("cannot reach"), "{}", out.stderr);
    }
}
