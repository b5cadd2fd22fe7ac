//! The Lambda artifact's bucket: upload (once per content), create the managed bucket.
//!
//! The managed bucket's name, `fsx-drt-artifacts-<account>-<region>`, can be guessed, and S3
//! bucket names are global: anyone could create it first. So every call on the bucket sends
//! `ExpectedBucketOwner` (the caller's account), and S3 answers 403 when someone else owns it
//! rather than letting the function's code be read from, or written to, a stranger's bucket.

use crate::artifact::Artifact;
use crate::aws::{Aws, BucketCheck};
use crate::error::{Exit, Failure};
use crate::output::Printer;
use crate::params::Problem;

/// Where the artifact goes: the bucket and the account that must own it.
pub struct Bucket<'a> {
    pub name: &'a str,
    /// The caller's account: S3 refuses (403) every call when another account owns the bucket.
    pub owner: &'a str,
    /// fsx-drt's own bucket (created when missing), as opposed to `--artifact-bucket`.
    pub managed: bool,
}

/// Uploads the artifact to `s3://bucket/fsx-drt/<sha256>.zip` unless it is there already;
/// creates the managed bucket (encrypted, public access blocked, TLS only) on first use.
pub async fn upload(
    aws: &Aws,
    bucket: &Bucket<'_>,
    artifact: &Artifact,
    ui: &Printer,
) -> Result<(), Failure> {
    let name = bucket.name;
    // The usual case, the artifact already there, takes one request.
    let key = artifact.key();
    if aws.object_exists(name, &key, bucket.owner).await? {
        return Ok(());
    }
    // Missing, or no bucket (HEAD cannot tell which), or not ours: the bucket says.
    match aws.check_bucket(name, bucket.owner).await? {
        BucketCheck::Ours => {}
        BucketCheck::NotOurs => return Err(not_ours(bucket)),
        BucketCheck::Missing if !bucket.managed => {
            return Err(Failure::invalid(
                "the artifact bucket cannot be used",
                vec![Problem::new(
                    "--artifact-bucket",
                    Some(name),
                    fsx_drt_core::Invalid::new(
                        "the bucket does not exist",
                        "create it in this region, or leave --artifact-bucket out to use a managed bucket",
                    ),
                )],
            ));
        }
        BucketCheck::Missing => create(aws, bucket, ui).await?,
    }
    ui.info(&format!(
        "Uploading the Lambda artifact to s3://{name}/{key}"
    ));
    aws.put_object(name, &key, bucket.owner, artifact.bytes.to_vec())
        .await?;
    Ok(())
}

/// The bucket exists but S3 refuses it to this account: another account owns it (or a
/// policy denies this one). Exit 1: nothing the input can fix by itself, and nothing was
/// uploaded.
fn not_ours(bucket: &Bucket<'_>) -> Failure {
    let (what, fix) = if bucket.managed {
        (
            "fsx-drt's default artifact bucket name",
            "give a bucket of your own in this region with --artifact-bucket",
        )
    } else {
        (
            "--artifact-bucket",
            "give a bucket your account owns with --artifact-bucket, or leave it out to use the managed bucket",
        )
    };
    Failure::new(
        Exit::Failed,
        format!(
            "bucket {} ({what}) belongs to another account, or your account may not use it; nothing was uploaded",
            bucket.name
        ),
        Some(format!("{fix}; S3 bucket names are global, so someone else may hold this one")),
    )
}

async fn create(aws: &Aws, bucket: &Bucket<'_>, ui: &Printer) -> Result<(), Failure> {
    let name = bucket.name;
    ui.info(&format!("Creating the artifact bucket {name}"));
    if let Err(e) = aws.create_bucket(name).await {
        match e.code() {
            // Another deploy created it a moment ago: it's ours all the same.
            Some("BucketAlreadyOwnedByYou") => {}
            // Someone else took the name between HeadBucket and here.
            Some("BucketAlreadyExists") => return Err(not_ours(bucket)),
            _ => return Err(e.into()),
        }
    }
    // Over plain HTTP (a local emulator) a TLS-only bucket would refuse fsx-drt itself.
    let policy =
        (!plain_http(aws.endpoint_url.as_deref())).then(|| tls_only_policy(name, &aws.region));
    aws.secure_bucket(name, bucket.owner, policy).await?;
    Ok(())
}

fn plain_http(endpoint_url: Option<&str>) -> bool {
    endpoint_url.is_some_and(|url| {
        url.get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
    })
}

/// Lets exactly these accounts read the artifacts (`fsx-drt/*`): a fleet's functions in other
/// accounts are created from this bucket (Lambda reads the code with the caller's rights, and
/// takes a bucket of another account in the function's region). The TLS-only statement
/// stays. The policy is the bucket's whole policy, written again for each fleet deploy.
pub async fn share(aws: &Aws, bucket: &Bucket<'_>, readers: &[String]) -> Result<(), Failure> {
    if readers.is_empty() {
        return Ok(());
    }
    let tls = !plain_http(aws.endpoint_url.as_deref());
    let policy = readers_policy(bucket.name, &aws.region, tls, readers);
    Ok(aws
        .put_bucket_policy(bucket.name, bucket.owner, &policy)
        .await?)
}

fn readers_policy(bucket: &str, region: &str, tls: bool, readers: &[String]) -> String {
    let mut policy: serde_json::Value = match tls {
        true => serde_json::from_str(&tls_only_policy(bucket, region)).expect("our JSON"),
        false => serde_json::json!({"Version": "2012-10-17", "Statement": []}),
    };
    let partition = crate::template::partition(region);
    let principals: Vec<String> = (readers.iter())
        .map(|a| format!("arn:{partition}:iam::{a}:root"))
        .collect();
    policy["Statement"]
        .as_array_mut()
        .expect("a statement list")
        .push(serde_json::json!({
            "Sid": "FleetAccountsReadArtifacts",
            "Effect": "Allow",
            "Principal": {"AWS": principals},
            "Action": "s3:GetObject",
            "Resource": format!("arn:{partition}:s3:::{bucket}/fsx-drt/*"),
        }));
    policy.to_string()
}

/// Denies every request that does not use TLS (AWS's documented policy for S3 buckets, the
/// `aws:SecureTransport` condition). A Deny never makes a bucket public, so it passes the
/// public access block.
fn tls_only_policy(bucket: &str, region: &str) -> String {
    let partition = crate::template::partition(region);
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [
                format!("arn:{partition}:s3:::{bucket}"),
                format!("arn:{partition}:s3:::{bucket}/*"),
            ],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }],
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_denies_plain_http_to_the_bucket_and_its_objects() {
        let policy: serde_json::Value =
            serde_json::from_str(&tls_only_policy("b", "cn-north-1")).unwrap();
        let statement = &policy["Statement"][0];
        assert_eq!(statement["Effect"], "Deny");
        assert_eq!(
            statement["Condition"]["Bool"]["aws:SecureTransport"],
            "false"
        );
        assert_eq!(
            statement["Resource"],
            serde_json::json!(["arn:aws-cn:s3:::b", "arn:aws-cn:s3:::b/*"])
        );
        let policy = tls_only_policy("b", "eu-west-1");
        assert!(policy.contains("arn:aws:s3:::b/*"), "{policy}");
    }

    #[test]
    fn the_fleet_accounts_may_read_the_artifacts_and_nothing_else() {
        let accounts = ["222222222222".to_string(), "333333333333".to_string()];
        let policy: serde_json::Value =
            serde_json::from_str(&readers_policy("b", "eu-west-1", true, &accounts)).unwrap();
        let statements = policy["Statement"].as_array().unwrap();
        assert_eq!(statements[0]["Effect"], "Deny", "TLS only is kept");
        let read = &statements[1];
        assert_eq!(read["Effect"], "Allow");
        assert_eq!(read["Action"], "s3:GetObject");
        assert_eq!(read["Resource"], "arn:aws:s3:::b/fsx-drt/*");
        assert_eq!(
            read["Principal"]["AWS"],
            serde_json::json!([
                "arn:aws:iam::222222222222:root",
                "arn:aws:iam::333333333333:root"
            ])
        );
        let plain: serde_json::Value =
            serde_json::from_str(&readers_policy("b", "eu-west-1", false, &accounts)).unwrap();
        assert_eq!(plain["Statement"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn only_a_plain_http_endpoint_goes_without_the_policy() {
        assert!(plain_http(Some("http://127.0.0.1:4566")));
        assert!(plain_http(Some("HTTP://localhost")));
        assert!(!plain_http(Some("https://s3.example.com")));
        assert!(!plain_http(None));
    }
}
