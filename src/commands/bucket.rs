//! The Lambda artifact's bucket: upload (once per content), create the managed bucket, delete
//! an artifact no stack uses.
//!
//! The managed bucket's name, `fsx-drt-artifacts-<account>-<region>`, can be guessed, and S3
//! bucket names are global: anyone could create it first. So every call on the bucket sends
//! `ExpectedBucketOwner` (the caller's account), and S3 answers 403 when someone else owns it
//! rather than letting the function's code be read from, or written to, a stranger's bucket.

use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, PublicAccessBlockConfiguration,
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule,
};

use crate::artifact::Artifact;
use crate::aws::{error_kind, failed, Aws, ErrorKind};
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
    printer: &Printer,
) -> Result<(), Failure> {
    let name = bucket.name;
    // The usual case, the artifact already there, takes one request.
    let key = artifact.key();
    let head = aws
        .s3
        .head_object()
        .bucket(name)
        .key(&key)
        .expected_bucket_owner(bucket.owner)
        .send()
        .await;
    match head {
        Ok(_) => return Ok(()),
        // Missing, or no bucket (HEAD cannot tell which), or not ours: the bucket says.
        Err(e) if matches!(http_status(&e), Some(403 | 404)) => {}
        Err(e) => return Err(failed("HeadObject", &e)),
    }
    let head = aws
        .s3
        .head_bucket()
        .bucket(name)
        .expected_bucket_owner(bucket.owner)
        .send()
        .await;
    match head {
        Ok(_) => {}
        Err(e) if http_status(&e) == Some(403) => return Err(not_ours(bucket)),
        Err(e) if http_status(&e) == Some(404) && !bucket.managed => {
            return Err(Failure::invalid(
                "the artifact bucket cannot be used",
                vec![Problem::new(
                    "--artifact-bucket",
                    Some(name),
                    fsx_drt_lambda::Invalid::new(
                        "the bucket does not exist",
                        "create it in this region, or leave --artifact-bucket out to use a managed bucket",
                    ),
                )],
            ));
        }
        Err(e) if http_status(&e) == Some(404) => create(aws, bucket, printer).await?,
        // Throttled or failing after the SDK's retries: never "missing".
        Err(e) => return Err(failed("HeadBucket", &e)),
    }
    printer.info(&format!(
        "Uploading the Lambda artifact to s3://{name}/{key}"
    ));
    aws.s3
        .put_object()
        .bucket(name)
        .key(&key)
        .expected_bucket_owner(bucket.owner)
        .body(artifact.bytes.to_vec().into())
        .send()
        .await
        .map_err(|e| failed("PutObject", &e))?;
    Ok(())
}

/// Removes an artifact; best effort (the caller reports what was removed). `owner` is the
/// account that must own the bucket, when known.
pub async fn delete_artifact(
    aws: &Aws,
    bucket: &str,
    key: &str,
    owner: Option<&str>,
) -> Result<(), ()> {
    aws.s3
        .delete_object()
        .bucket(bucket)
        .key(key)
        .set_expected_bucket_owner(owner.map(str::to_string))
        .send()
        .await
        .map(|_| ())
        .map_err(|_| ())
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

async fn create(aws: &Aws, bucket: &Bucket<'_>, printer: &Printer) -> Result<(), Failure> {
    let name = bucket.name;
    printer.info(&format!("Creating the artifact bucket {name}"));
    let mut create = aws.s3.create_bucket().bucket(name);
    if aws.region != "us-east-1" {
        create = create.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(aws.region.as_str()))
                .build(),
        );
    }
    if let Err(e) = create.send().await {
        match error_kind(&e) {
            // Another deploy created it a moment ago: it's ours all the same.
            ErrorKind::Service { code, .. } if code == "BucketAlreadyOwnedByYou" => {}
            // Someone else took the name between HeadBucket and here.
            ErrorKind::Service { code, .. } if code == "BucketAlreadyExists" => {
                return Err(not_ours(bucket))
            }
            _ => return Err(failed("CreateBucket", &e)),
        }
    }
    let encryption = ServerSideEncryptionConfiguration::builder()
        .rules(
            ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(
                    ServerSideEncryptionByDefault::builder()
                        .sse_algorithm(ServerSideEncryption::Aes256)
                        .build()
                        .expect("algorithm set"),
                )
                .build(),
        )
        .build()
        .expect("rules set");
    aws.s3
        .put_bucket_encryption()
        .bucket(name)
        .expected_bucket_owner(bucket.owner)
        .server_side_encryption_configuration(encryption)
        .send()
        .await
        .map_err(|e| failed("PutBucketEncryption", &e))?;
    aws.s3
        .put_public_access_block()
        .bucket(name)
        .expected_bucket_owner(bucket.owner)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .map_err(|e| failed("PutPublicAccessBlock", &e))?;
    // Over plain HTTP (a local emulator) a TLS-only bucket would refuse fsx-drt itself.
    if !plain_http(aws.endpoint_url.as_deref()) {
        aws.s3
            .put_bucket_policy()
            .bucket(name)
            .expected_bucket_owner(bucket.owner)
            .policy(tls_only_policy(name, &aws.region))
            .send()
            .await
            .map_err(|e| failed("PutBucketPolicy", &e))?;
    }
    Ok(())
}

fn plain_http(endpoint_url: Option<&str>) -> bool {
    endpoint_url.is_some_and(|url| {
        url.get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
    })
}

/// Denies every request that does not use TLS (AWS's documented policy for S3 buckets, the
/// `aws:SecureTransport` condition). A Deny never makes a bucket public, so it passes the
/// public access block.
fn tls_only_policy(bucket: &str, region: &str) -> String {
    let partition = if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    };
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

/// The HTTP status of a failed call, when there was an answer.
fn http_status<E>(
    error: &aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> Option<u16> {
    error.raw_response().map(|r| r.status().as_u16())
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
    fn only_a_plain_http_endpoint_goes_without_the_policy() {
        assert!(plain_http(Some("http://127.0.0.1:4566")));
        assert!(plain_http(Some("HTTP://localhost")));
        assert!(!plain_http(Some("https://s3.example.com")));
        assert!(!plain_http(None));
    }
}
