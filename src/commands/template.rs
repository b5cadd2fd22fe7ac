//! `fsx-drt template`: the CloudFormation template deploy uses.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::error::Failure;
use crate::output::Printer;
use crate::template::{template_json, TEMPLATE_YAML};

/// Text is the YAML as written; JSON is the same template in long-form intrinsics.
pub struct Template;

pub fn run(ui: &Printer) -> Result<(), Failure> {
    ui.outcome(&Template)
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(TEMPLATE_YAML)
    }
}

impl Serialize for Template {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        template_json().serialize(s)
    }
}
