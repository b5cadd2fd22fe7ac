//! What a failed AWS call means, decided once: [`ErrorKind`] from the error code, and
//! [`Error`], the typed failure every call in this module returns, turned into a command's
//! [`Failure`] (exit 1, with what to check next) only at the edge.

use fsx_drt_core::aws::AwsError;

use crate::error::{Exit, Failure};

/// An AWS call that failed, as the person running fsx-drt needs to read it: the service's
/// code and message, or the causes in words ("cannot reach the endpoint").
use fsx_drt_core::aws::describe;

/// What a failed AWS call means to fsx-drt, decided here once, from the error code (and from
/// the message only where AWS has no code of its own: CloudFormation says a stack does not
/// exist with a ValidationError), so callers branch on a type, never on text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// What was asked about does not exist: a stack, a file system, a bucket, a task.
    NotFound,
    /// Throttled, after the SDK's own retries.
    Throttled,
    /// No answer: nothing listening, no network, or a timeout.
    Unreachable,
    AccessDenied,
    /// The endpoint does not offer the action (AWS's common error InvalidAction): a local
    /// emulator, say.
    Unsupported,
    /// Any other answer: the service's code and message.
    Service {
        code: String,
        message: String,
    },
}

/// The kind of a failed SDK call.
pub(super) fn error_kind<E>(
    error: &aws_sdk_fsx::error::SdkError<E, aws_sdk_fsx::config::http::HttpResponse>,
) -> ErrorKind
where
    E: aws_sdk_fsx::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    if fsx_drt_core::aws::unreachable(error) {
        return ErrorKind::Unreachable;
    }
    let service = error.as_service_error();
    let code = service.and_then(|s| s.code());
    let message = service.and_then(|s| s.message());
    match (code, error.raw_response().map(|r| r.status().as_u16())) {
        // HEAD answers have no body, so no code: the status says it.
        (None, Some(404)) => ErrorKind::NotFound,
        (None, Some(403)) => ErrorKind::AccessDenied,
        (None, Some(429)) => ErrorKind::Throttled,
        _ => classify(code, message),
    }
}

/// [`error_kind`] from the code and message an answer carried.
fn classify(code: Option<&str>, message: Option<&str>) -> ErrorKind {
    let message = message.unwrap_or_default();
    match code.unwrap_or_default() {
        "FileSystemNotFound"
        | "DataRepositoryTaskNotFound"
        | "DataRepositoryAssociationNotFound"
        | "NoSuchBucket"
        | "NoSuchKey"
        | "NotFound"
        | "ResourceNotFound"
        | "ResourceNotFoundException"
        | "StackSetNotFoundException"
        | "ChangeSetNotFound" => ErrorKind::NotFound,
        // CloudFormation's only word for a missing stack: "Stack with id X does not exist".
        "ValidationError" if message.ends_with("does not exist") => ErrorKind::NotFound,
        "Throttling"
        | "ThrottlingException"
        | "TooManyRequestsException"
        | "SlowDown"
        | "RequestLimitExceeded" => ErrorKind::Throttled,
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
            ErrorKind::AccessDenied
        }
        "InvalidAction" => ErrorKind::Unsupported,
        code => ErrorKind::Service {
            code: code.to_string(),
            message: message.to_string(),
        },
    }
}

/// A failed AWS call, typed: what was called, what it means, and the service's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub operation: &'static str,
    pub kind: ErrorKind,
    /// The code and message, or the causes in words ("cannot reach the endpoint").
    pub message: String,
}

impl Error {
    /// The typed error of a failed SDK call.
    pub(super) fn from_sdk<E>(
        operation: &'static str,
        error: &aws_sdk_fsx::error::SdkError<E, aws_sdk_fsx::config::http::HttpResponse>,
    ) -> Error
    where
        E: aws_sdk_fsx::error::ProvideErrorMetadata + std::error::Error + 'static,
    {
        Error {
            operation,
            kind: error_kind(error),
            message: describe(error),
        }
    }

    pub fn is(&self, kind: &ErrorKind) -> bool {
        &self.kind == kind
    }

    /// The service's error code, when it answered with one.
    pub fn code(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::Service { code, .. } => Some(code),
            _ => None,
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} failed: {}", self.operation, self.message)
    }
}

/// A failed AWS call as a command failure (exit 1) with what to check next.
impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        aws_failure(&AwsError {
            operation: error.operation,
            unreachable: error.kind == ErrorKind::Unreachable,
            message: error.message,
        })
    }
}

/// `.map_err(failed("Op"))` on an SDK call's result.
pub(super) fn failed<E>(
    operation: &'static str,
) -> impl FnOnce(aws_sdk_fsx::error::SdkError<E, aws_sdk_fsx::config::http::HttpResponse>) -> Error
where
    E: aws_sdk_fsx::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    move |error| Error::from_sdk(operation, &error)
}

/// The same for a failure the Lambda crate's shared code reports.
pub fn aws_failure(error: &AwsError) -> Failure {
    let help = if error.unreachable {
        "cannot reach the AWS endpoint: check the network, --region and --endpoint-url (AWS_ENDPOINT_URL)"
    } else {
        "check your credentials and permissions (AWS_PROFILE / --profile), then run the command again"
    };
    Failure::new(Exit::Failed, error.to_string(), Some(help.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_told_apart_by_code() {
        let kind = |code: &str, message: &str| classify(Some(code), Some(message));
        assert_eq!(
            kind("ValidationError", "Stack with id fsx-drt does not exist"),
            ErrorKind::NotFound
        );
        assert_eq!(kind("FileSystemNotFound", "no"), ErrorKind::NotFound);
        assert_eq!(kind("NoSuchKey", "no"), ErrorKind::NotFound);
        assert_eq!(kind("Throttling", "Rate exceeded"), ErrorKind::Throttled);
        assert_eq!(kind("SlowDown", "Please reduce"), ErrorKind::Throttled);
        assert_eq!(kind("AccessDenied", "no"), ErrorKind::AccessDenied);
        assert_eq!(
            kind(
                "InvalidAction",
                "The action or operation requested is invalid"
            ),
            ErrorKind::Unsupported
        );
        // A ValidationError about something else is the service's to explain.
        assert_eq!(
            kind("ValidationError", "Template format error"),
            ErrorKind::Service {
                code: "ValidationError".into(),
                message: "Template format error".into()
            }
        );
        assert_eq!(
            kind("BucketAlreadyOwnedByYou", "yours"),
            ErrorKind::Service {
                code: "BucketAlreadyOwnedByYou".into(),
                message: "yours".into()
            }
        );
    }
}
