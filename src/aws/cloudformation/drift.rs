//! CloudFormation drift detection: start it (DetectStackDrift), see where it stands
//! (DescribeStackDriftDetectionStatus) and read the resources that drifted
//! (DescribeStackResourceDrifts, MODIFIED and DELETED only, all pages).

use aws_sdk_cloudformation::types::{
    StackDriftDetectionStatus, StackDriftStatus, StackResourceDriftStatus,
};
use serde::Serialize;

use super::super::error::{failed, Error};
use super::super::Aws;

/// The stack's drift status, as CloudFormation words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StackDrift {
    /// One or more resources differ from the template.
    Drifted,
    InSync,
    /// CloudFormation could not check a resource (the reason says why).
    Unknown,
    /// Nothing was checked (no resource of the stack supports drift detection).
    NotChecked,
}

/// Where a drift detection stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DriftDetection {
    InProgress,
    Complete(StackDrift),
    /// It failed for at least one resource; the others' results are there (`drift`).
    Failed {
        drift: StackDrift,
        reason: String,
    },
}

/// A resource that drifted: MODIFIED (with the properties that differ) or DELETED.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceDrift {
    pub logical_id: String,
    pub resource_type: String,
    pub physical_id: Option<String>,
    /// MODIFIED or DELETED.
    pub status: String,
    pub differences: Vec<PropertyDifference>,
}

/// One property whose actual value is not the template's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PropertyDifference {
    /// `/Environment/Variables/TASK_TYPE`, say.
    pub path: String,
    pub expected: String,
    pub actual: String,
    /// ADD, REMOVE or NOT_EQUAL.
    pub kind: String,
}

impl Aws {
    /// Starts drift detection on the stack; returns the detection's id.
    pub async fn detect_stack_drift(&self, stack: &str) -> Result<String, Error> {
        let out = self
            .clients
            .cloudformation
            .detect_stack_drift()
            .stack_name(stack)
            .send()
            .await
            .map_err(failed("DetectStackDrift"))?;
        Ok(out
            .stack_drift_detection_id()
            .unwrap_or_default()
            .to_string())
    }

    /// Where the drift detection `id` stands.
    pub async fn drift_detection(&self, id: &str) -> Result<DriftDetection, Error> {
        let out = self
            .clients
            .cloudformation
            .describe_stack_drift_detection_status()
            .stack_drift_detection_id(id)
            .send()
            .await
            .map_err(failed("DescribeStackDriftDetectionStatus"))?;
        let drift = match out.stack_drift_status() {
            Some(StackDriftStatus::Drifted) => StackDrift::Drifted,
            Some(StackDriftStatus::InSync) => StackDrift::InSync,
            Some(StackDriftStatus::NotChecked) => StackDrift::NotChecked,
            _ => StackDrift::Unknown,
        };
        let reason = out
            .detection_status_reason()
            .unwrap_or_default()
            .to_string();
        Ok(match out.detection_status() {
            Some(StackDriftDetectionStatus::DetectionComplete) => DriftDetection::Complete(drift),
            Some(StackDriftDetectionStatus::DetectionFailed) => {
                DriftDetection::Failed { drift, reason }
            }
            _ => DriftDetection::InProgress,
        })
    }

    /// The stack's resources that drifted (MODIFIED or DELETED) in its latest detection.
    pub async fn resource_drifts(&self, stack: &str) -> Result<Vec<ResourceDrift>, Error> {
        let mut drifts = Vec::new();
        let mut pages = self
            .clients
            .cloudformation
            .describe_stack_resource_drifts()
            .stack_name(stack)
            .stack_resource_drift_status_filters(StackResourceDriftStatus::Modified)
            .stack_resource_drift_status_filters(StackResourceDriftStatus::Deleted)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(failed("DescribeStackResourceDrifts"))?;
            drifts.extend(page.stack_resource_drifts().iter().map(|d| {
                ResourceDrift {
                    logical_id: d.logical_resource_id().unwrap_or_default().to_string(),
                    resource_type: d.resource_type().unwrap_or_default().to_string(),
                    physical_id: d.physical_resource_id().map(str::to_string),
                    status: d
                        .stack_resource_drift_status()
                        .map_or("", |s| s.as_str())
                        .to_string(),
                    differences: d
                        .property_differences()
                        .iter()
                        .map(|p| PropertyDifference {
                            path: p.property_path().unwrap_or_default().to_string(),
                            expected: p.expected_value().unwrap_or_default().to_string(),
                            actual: p.actual_value().unwrap_or_default().to_string(),
                            kind: p.difference_type().map_or("", |t| t.as_str()).to_string(),
                        })
                        .collect(),
                }
            }));
        }
        Ok(drifts)
    }
}
