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
