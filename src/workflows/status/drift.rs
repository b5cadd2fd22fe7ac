//! Drift: whether the stack's resources still match its template, by CloudFormation's drift
//! detection (DetectStackDrift), waited for a short while. Drift detection that cannot run
//! (denied, a stack mid-update, an endpoint without it) is reported as not checked, with the
//! reason, and never fails status.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use crate::aws::{DriftDetection, Error, ErrorKind, ResourceDrift, StackDrift};
use crate::error::Failure;
use crate::workflows::poll::Poll;
use crate::workflows::session::Session;

/// How long status waits for drift detection (AWS: "can take up to several minutes,
/// depending on the number of resources"; a stack of fsx-drt's has about 15).
pub const WAIT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Drift {
    InSync,
    Drifted {
        /// MODIFIED or DELETED resources, with the properties that differ.
        resources: Vec<ResourceDrift>,
        /// Why the list may be incomplete (detection failed for some resources).
        #[serde(skip_serializing_if = "Option::is_none")]
        incomplete: Option<String>,
    },
    NotChecked {
        reason: String,
    },
    /// Detection still ran after [`WAIT`]; it goes on in CloudFormation.
    StillRunning {
        detection_id: String,
    },
    /// `--no-drift`.
    Skipped,
}

impl Drift {
    pub fn drifted(&self) -> bool {
        matches!(self, Drift::Drifted { .. })
    }
}

/// Detects the stack's drift, waiting at most `wait` for the result.
pub async fn check(session: &Session<'_>, stack: &str, wait: Duration) -> Result<Drift, Failure> {
    let aws = session.aws;
    let stopped = "stopped waiting for drift detection; nothing was changed";
    let id = match aws.detect_stack_drift(stack).await {
        Ok(id) => id,
        Err(e) => return Ok(not_checked(&e)),
    };
    let mut poll = Poll::new(
        wait,
        session,
        format!(
            "see it with aws cloudformation describe-stack-drift-detection-status \
             --stack-drift-detection-id {id}"
        ),
        "{spinner} detecting drift {elapsed}",
    );
    loop {
        let (drift, incomplete) = match poll.during(stopped, aws.drift_detection(&id)).await? {
            Ok(DriftDetection::InProgress) => {
                poll.throttled = 0;
                if poll.expired() {
                    poll.finish();
                    return Ok(Drift::StillRunning { detection_id: id });
                }
                poll.pause(stopped).await?;
                continue;
            }
            Ok(DriftDetection::Complete(drift)) => (drift, None),
            Ok(DriftDetection::Failed { drift, reason }) => (drift, Some(reason)),
            Err(e) if e.is(&ErrorKind::Throttled) => {
                poll.throttled += 1;
                poll.pause(stopped).await?;
                continue;
            }
            Err(e) => {
                poll.finish();
                return Ok(not_checked(&e));
            }
        };
        poll.finish();
        return Ok(match (drift, incomplete) {
            (StackDrift::Drifted, incomplete) => match aws.resource_drifts(stack).await {
                Ok(resources) => Drift::Drifted {
                    resources,
                    incomplete,
                },
                Err(e) => Drift::Drifted {
                    resources: Vec::new(),
                    incomplete: Some(e.to_string()),
                },
            },
            (StackDrift::InSync, None) => Drift::InSync,
            (_, Some(reason)) => Drift::NotChecked {
                reason: format!("drift detection failed: {reason}"),
            },
            (StackDrift::Unknown, None) => Drift::NotChecked {
                reason: "CloudFormation could not check every resource".into(),
            },
            (StackDrift::NotChecked, None) => Drift::NotChecked {
                reason: "CloudFormation checked no resource".into(),
            },
        });
    }
}

/// Drift detection that could not start or be read: why, in words.
fn not_checked(e: &Error) -> Drift {
    let reason = match e.kind {
        ErrorKind::AccessDenied => format!(
            "{e}; allow cloudformation:DetectStackDrift, DescribeStackDriftDetectionStatus and \
             DescribeStackResourceDrifts, or pass --no-drift"
        ),
        ErrorKind::Unsupported => "the endpoint does not support drift detection".into(),
        _ => e.to_string(),
    };
    Drift::NotChecked { reason }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Drift::InSync => writeln!(f, "Drift: in sync with the template"),
            Drift::Skipped => writeln!(f, "Drift: not checked (--no-drift)"),
            Drift::NotChecked { reason } => writeln!(f, "Drift: not checked: {reason}"),
            Drift::StillRunning { detection_id } => writeln!(
                f,
                "Drift: detection still running after {}s (id {detection_id}); see it with \
                 aws cloudformation describe-stack-drift-detection-status \
                 --stack-drift-detection-id {detection_id}",
                WAIT.as_secs()
            ),
            Drift::Drifted {
                resources,
                incomplete,
            } => {
                let n = resources.len();
                let s = if n == 1 { "" } else { "s" };
                writeln!(f, "Drift: {n} resource{s} drifted from the template")?;
                for r in resources {
                    writeln!(f, "  {} ({}) {}", r.logical_id, r.resource_type, r.status)?;
                    for d in &r.differences {
                        let shown = |v: &str| {
                            if v.is_empty() {
                                "(none)".to_string()
                            } else {
                                v.to_string()
                            }
                        };
                        writeln!(
                            f,
                            "      {}: {} -> {}",
                            d.path,
                            shown(&d.expected),
                            shown(&d.actual)
                        )?;
                    }
                }
                match incomplete {
                    Some(reason) => writeln!(f, "  (possibly incomplete: {reason})"),
                    None => Ok(()),
                }
            }
        }
    }
}
