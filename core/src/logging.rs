//! The function's log records: what lambda_runtime's `init_default_subscriber` sets up (a
//! level from Lambda's log level or RUST_LOG, JSON when Lambda's log format is JSON, no time,
//! no target), with a regex-free filter: tracing-subscriber's `EnvFilter` links regex-automata,
//! and the zip has to stay under 3 MiB.

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Lambda's advanced logging controls (the template's ApplicationLogLevel and LogFormat).
const LOG_LEVEL: &str = "AWS_LAMBDA_LOG_LEVEL";
const LOG_FORMAT: &str = "AWS_LAMBDA_LOG_FORMAT";
const RUST_LOG: &str = "RUST_LOG";

/// Installs the process's subscriber, writing to stdout (CloudWatch Logs).
pub fn init() {
    let env = |name: &str| std::env::var(name).ok();
    let filter = filter(
        env(LOG_LEVEL).or_else(|| env(RUST_LOG)).as_deref(),
        env(RUST_LOG).as_deref().unwrap_or_default(),
    );
    let builder = tracing_subscriber::fmt()
        .with_max_level(LevelFilter::TRACE)
        .with_target(false)
        .without_time()
        .with_writer(std::io::stdout);
    if env(LOG_FORMAT).is_some_and(|format| format.eq_ignore_ascii_case("json")) {
        builder.json().finish().with(filter).init();
    } else {
        builder.finish().with(filter).init();
    }
}

/// As lambda_runtime's `EnvFilter` decides: RUST_LOG's valid `target=level` and `level`
/// directives when it has any (invalid ones ignored), else `level` (Lambda's log level, or
/// RUST_LOG as a level), else INFO. Span and field directives (`target[span{f=x}]=level`)
/// are not supported: they count as invalid.
pub fn filter(level: Option<&str>, rust_log: &str) -> Targets {
    let valid: Vec<&str> = rust_log
        .split(',')
        .filter(|d| !d.is_empty() && d.parse::<Targets>().is_ok())
        .collect();
    if valid.is_empty() {
        let level = level
            .and_then(|l| l.parse::<LevelFilter>().ok())
            .unwrap_or(LevelFilter::INFO);
        return Targets::new().with_default(level);
    }
    valid.join(",").parse().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;

    #[test]
    fn the_level_comes_from_lambda_then_rust_log_then_info() {
        let cases: &[(Option<&str>, &str, &str, Level, bool)] = &[
            // (level, RUST_LOG, target, level of the event, enabled)
            (None, "", "fsx_drt_core", Level::INFO, true),
            (None, "", "fsx_drt_core", Level::DEBUG, false),
            (Some("WARN"), "", "fsx_drt_core", Level::INFO, false),
            (Some("DEBUG"), "", "aws_smithy_runtime", Level::DEBUG, true),
            (Some("nonsense"), "", "fsx_drt_core", Level::INFO, true),
            (Some("nonsense"), "", "fsx_drt_core", Level::DEBUG, false),
            // RUST_LOG's directives, when it has valid ones, decide alone (as EnvFilter's do).
            (Some("ERROR"), "debug", "fsx_drt_core", Level::DEBUG, true),
            (
                Some("INFO"),
                "warn,aws_smithy_runtime=trace",
                "aws_smithy_runtime::client",
                Level::TRACE,
                true,
            ),
            (
                Some("INFO"),
                "warn,aws_smithy_runtime=trace",
                "fsx_drt_core",
                Level::INFO,
                false,
            ),
            // An invalid directive is ignored, the valid ones kept.
            (None, "a=nonsense,b=debug", "b", Level::DEBUG, true),
            (None, "a=nonsense,b=debug", "a", Level::ERROR, false),
            // None valid: the level decides.
            (Some("ERROR"), "x[span{f=1}]=debug", "x", Level::WARN, false),
            (Some("ERROR"), "x[span{f=1}]=debug", "x", Level::ERROR, true),
        ];
        for &(level, rust_log, target, event, enabled) in cases {
            assert_eq!(
                filter(level, rust_log).would_enable(target, &event),
                enabled,
                "level {level:?}, RUST_LOG {rust_log:?}: {target} at {event}"
            );
        }
    }
}
