//! S3: the calls on the artifact bucket. Every call on a bucket sends the account that must
//! own it (`ExpectedBucketOwner`) when it is known: S3 answers 403 when another owns it.

use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, PublicAccessBlockConfiguration,
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule,
};

use super::error::{failed, Error, ErrorKind};
use super::Aws;

/// What HeadBucket says about a bucket, for the account that must own it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BucketCheck {
    Ours,
    /// 403: another account owns it, or a policy refuses this one.
    NotOurs,
    /// 404: there is no such bucket.
    Missing,
}

/// The first bytes of an object, and how many it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectStart {
    pub bytes: Vec<u8>,
    pub total: u64,
}

/// The HTTP status of a failed call, when there was an answer (HEAD answers have no body,
/// so the status is all there is).
fn http_status<E>(
    error: &aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> Option<u16> {
    error.raw_response().map(|r| r.status().as_u16())
}

impl Aws {
    /// True when the object is there; false when it is not, or the bucket is missing or not
    /// ours (HEAD cannot tell which: [`Aws::check_bucket`] does).
    pub async fn object_exists(&self, bucket: &str, key: &str, owner: &str) -> Result<bool, Error> {
        match self
            .clients
            .s3
            .head_object()
            .bucket(bucket)
            .key(key)
            .expected_bucket_owner(owner)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if matches!(http_status(&e), Some(403 | 404)) => Ok(false),
            Err(e) => Err(Error::from_sdk("HeadObject", &e)),
        }
    }

    /// Throttled or failing after the SDK's retries is an error, never "missing".
    pub async fn check_bucket(&self, bucket: &str, owner: &str) -> Result<BucketCheck, Error> {
        match self
            .clients
            .s3
            .head_bucket()
            .bucket(bucket)
            .expected_bucket_owner(owner)
            .send()
            .await
        {
            Ok(_) => Ok(BucketCheck::Ours),
            Err(e) if http_status(&e) == Some(403) => Ok(BucketCheck::NotOurs),
            Err(e) if http_status(&e) == Some(404) => Ok(BucketCheck::Missing),
            Err(e) => Err(Error::from_sdk("HeadBucket", &e)),
        }
    }

    /// Creates the bucket in this client's region.
    pub async fn create_bucket(&self, bucket: &str) -> Result<(), Error> {
        let mut create = self.clients.s3.create_bucket().bucket(bucket);
        if self.region != "us-east-1" {
            create = create.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(self.region.as_str()))
                    .build(),
            );
        }
        create
            .send()
            .await
            .map(drop)
            .map_err(failed("CreateBucket"))
    }

    /// The bucket's whole policy, replaced.
    pub async fn put_bucket_policy(
        &self,
        bucket: &str,
        owner: &str,
        policy: &str,
    ) -> Result<(), Error> {
        self.clients
            .s3
            .put_bucket_policy()
            .bucket(bucket)
            .expected_bucket_owner(owner)
            .policy(policy)
            .send()
            .await
            .map(drop)
            .map_err(failed("PutBucketPolicy"))
    }

    /// Default encryption (SSE-S3), every public access blocked, and `policy` when given.
    pub async fn secure_bucket(
        &self,
        bucket: &str,
        owner: &str,
        policy: Option<String>,
    ) -> Result<(), Error> {
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
        self.clients
            .s3
            .put_bucket_encryption()
            .bucket(bucket)
            .expected_bucket_owner(owner)
            .server_side_encryption_configuration(encryption)
            .send()
            .await
            .map_err(failed("PutBucketEncryption"))?;
        self.clients
            .s3
            .put_public_access_block()
            .bucket(bucket)
            .expected_bucket_owner(owner)
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
            .map_err(failed("PutPublicAccessBlock"))?;
        if let Some(policy) = policy {
            self.put_bucket_policy(bucket, owner, &policy).await?;
        }
        Ok(())
    }

    /// The object's first `limit` bytes (a Range GET) and its size, or `None` when there is
    /// no such object or bucket (NoSuchKey, NoSuchBucket). Another account's bucket is an
    /// AccessDenied error.
    pub async fn object_start(
        &self,
        bucket: &str,
        key: &str,
        owner: &str,
        limit: u64,
    ) -> Result<Option<ObjectStart>, Error> {
        let out = match self
            .clients
            .s3
            .get_object()
            .bucket(bucket)
            .key(key)
            .expected_bucket_owner(owner)
            .range(format!("bytes=0-{}", limit.saturating_sub(1)))
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                return match Error::from_sdk("GetObject", &e) {
                    error if error.is(&ErrorKind::NotFound) => Ok(None),
                    // S3 answers a range of an empty object with 416 InvalidRange.
                    error if error.code() == Some("InvalidRange") => Ok(Some(ObjectStart {
                        bytes: Vec::new(),
                        total: 0,
                    })),
                    error => Err(error),
                };
            }
        };
        // "bytes 0-99/12345"; without it the whole object came.
        let total = out
            .content_range()
            .and_then(|r| r.rsplit_once('/'))
            .and_then(|(_, total)| total.parse::<u64>().ok());
        let body = out.body.collect().await.map_err(|e| Error {
            operation: "GetObject",
            kind: ErrorKind::Unreachable,
            message: format!("the object's content did not arrive whole: {e}"),
        })?;
        let bytes = body.into_bytes().to_vec();
        Ok(Some(ObjectStart {
            total: total.unwrap_or(bytes.len() as u64),
            bytes,
        }))
    }

    pub async fn put_object(
        &self,
        bucket: &str,
        key: &str,
        owner: &str,
        bytes: Vec<u8>,
    ) -> Result<(), Error> {
        self.clients
            .s3
            .put_object()
            .bucket(bucket)
            .key(key)
            .expected_bucket_owner(owner)
            .body(bytes.into())
            .send()
            .await
            .map(drop)
            .map_err(failed("PutObject"))
    }

    /// The object's URL as CloudFormation reads a TemplateURL: the bucket's own host in this
    /// client's region (and partition).
    pub fn object_url(&self, bucket: &str, key: &str) -> String {
        let domain = if self.region.starts_with("cn-") {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        format!("https://{bucket}.s3.{}.{domain}/{key}", self.region)
    }

    /// `owner`, when known, must own the bucket.
    pub async fn delete_object(
        &self,
        bucket: &str,
        key: &str,
        owner: Option<&str>,
    ) -> Result<(), Error> {
        self.clients
            .s3
            .delete_object()
            .bucket(bucket)
            .key(key)
            .set_expected_bucket_owner(owner.map(str::to_string))
            .send()
            .await
            .map(drop)
            .map_err(failed("DeleteObject"))
    }
}
