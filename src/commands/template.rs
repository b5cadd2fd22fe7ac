//! `fsx-drt template`: the CloudFormation template deploy uses.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::cli::TemplateArgs;
use crate::error::Failure;
use crate::output::Printer;
use crate::template::{template_json, TEMPLATE_YAML};
use crate::workflows::deploy;
use crate::workflows::inputs::Inputs;

/// Text is the YAML as written; JSON is the same template in long-form intrinsics.
pub struct Template;

pub fn run(args: &TemplateArgs, ui: &Printer) -> Result<(), Failure> {
    match &args.parameters_file {
        None => ui.outcome(&Template),
        Some(file) => {
            let inputs = Inputs {
                parameters_file: Some(file.clone()),
                ..Inputs::default()
            };
            ui.outcome(&Rendered(deploy::template_for(&inputs)?))
        }
    }
}

/// The template deploy renders for a definition, as it sends it.
pub struct Rendered(serde_json::Value);

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string_pretty(&self.0).map_err(|_| fmt::Error)?;
        writeln!(f, "{text}")
    }
}

impl Serialize for Rendered {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
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
