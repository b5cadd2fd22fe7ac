//! One cron field (minutes, hours, day-of-month, month, day-of-week, year): its range and
//! names, and the values a field's text stands for.

use fsx_drt_core::Invalid;

use super::{FIRST_YEAR, LAST_YEAR};

/// A set of small integers `min..=max` (at most 256 values: years 1970-2199 is the widest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Bits([u64; 4]);

impl Bits {
    fn insert(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    fn contains(&self, i: usize) -> bool {
        i < 256 && self.0[i / 64] & (1 << (i % 64)) != 0
    }
}

/// One field's values, stored relative to the field's minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ValueSet {
    min: i32,
    bits: Bits,
}

impl ValueSet {
    pub(super) fn contains(&self, v: i32) -> bool {
        v >= self.min && self.bits.contains((v - self.min) as usize)
    }

    /// Values `>= from`, ascending, up to `max`.
    pub(super) fn from(&self, from: i32, max: i32) -> impl Iterator<Item = i32> + '_ {
        (from.max(self.min)..=max).filter(|v| self.contains(*v))
    }
}

pub(super) struct Field {
    name: &'static str,
    min: i32,
    max: i32,
    pub(super) names: &'static [&'static str],
    /// Quartz's largest increment for the field.
    max_step: i32,
    example: &'static str,
}

pub(super) const MINUTES: Field = Field {
    name: "minutes",
    min: 0,
    max: 59,
    names: &[],
    max_step: 59,
    example: "0/15",
};
pub(super) const HOURS: Field = Field {
    name: "hours",
    min: 0,
    max: 23,
    names: &[],
    max_step: 23,
    example: "9-17",
};
pub(super) const DAY_OF_MONTH: Field = Field {
    name: "day-of-month",
    min: 1,
    max: 31,
    names: &[],
    max_step: 31,
    example: "1,15 or L or 15W",
};
pub(super) const MONTH: Field = Field {
    name: "month",
    min: 1,
    max: 12,
    names: &[
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ],
    max_step: 12,
    example: "JAN-MAR",
};
pub(super) const DAY_OF_WEEK: Field = Field {
    name: "day-of-week",
    min: 1,
    max: 7,
    names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    max_step: 7,
    example: "MON-FRI or 6L or 2#1",
};
pub(super) const YEAR: Field = Field {
    name: "year",
    min: FIRST_YEAR,
    max: LAST_YEAR,
    names: &[],
    max_step: LAST_YEAR - FIRST_YEAR,
    example: "2026-2030",
};

impl Field {
    pub(super) fn invalid(&self, text: &str, problem: impl std::fmt::Display) -> Invalid {
        Invalid::new(
            format!("{} field `{text}`: {problem}", self.name),
            format!(
                "the {} field takes {}-{}{}, `*`, lists (,), ranges (-) and steps (/), e.g. {}",
                self.name,
                self.min,
                self.max,
                if self.names.is_empty() {
                    String::new()
                } else {
                    format!(" or {}-{}", self.names[0], self.names[self.names.len() - 1])
                },
                self.example
            ),
        )
    }

    pub(super) fn value(&self, text: &str, whole: &str) -> Result<i32, Invalid> {
        if let Some(i) = self.names.iter().position(|n| n.eq_ignore_ascii_case(text)) {
            return Ok(self.min + i as i32);
        }
        if text.is_empty() {
            return Err(self.invalid(whole, "a range or step is missing a number"));
        }
        if text == "?" {
            return Err(self.invalid(
                whole,
                "? is only for day-of-month or day-of-week, and stands alone there",
            ));
        }
        let v: i32 = text
            .parse()
            .ok()
            .filter(|_| text.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| self.invalid(whole, format!("`{text}` is not a value")))?;
        if !(self.min..=self.max).contains(&v) {
            return Err(self.invalid(whole, format!("{v} is outside {}-{}", self.min, self.max)));
        }
        Ok(v)
    }

    /// A list of `*`, `a`, `a-b`, with an optional `/step` on each.
    pub(super) fn parse_set(&self, text: &str) -> Result<ValueSet, Invalid> {
        let mut set = ValueSet {
            min: self.min,
            bits: Bits::default(),
        };
        for item in text.split(',') {
            if item.is_empty() {
                return Err(self.invalid(text, "empty list element"));
            }
            let (range, step) = match item.split_once('/') {
                Some((range, step)) => {
                    let step: i32 = step
                        .parse()
                        .ok()
                        .filter(|s| (1..=self.max_step).contains(s))
                        .filter(|_| step.bytes().all(|b| b.is_ascii_digit()))
                        .ok_or_else(|| {
                            self.invalid(
                                text,
                                format!(
                                    "the step after / must be a whole number from 1 to {}, not `{step}`",
                                    self.max_step
                                ),
                            )
                        })?;
                    (range, Some(step))
                }
                None => (item, None),
            };
            let (start, end) = if range == "*" {
                (self.min, self.max)
            } else if let Some((a, b)) = range.split_once('-') {
                (self.value(a, text)?, self.value(b, text)?)
            } else {
                let v = self.value(range, text)?;
                // `a/step` runs from a to the field's end, as in Quartz.
                (v, if step.is_some() { self.max } else { v })
            };
            let step = step.unwrap_or(1);
            if end < start {
                if self.min == FIRST_YEAR {
                    return Err(
                        self.invalid(text, format!("the range {range} ends before it starts"))
                    );
                }
                // A range that wraps (FRI-MON, 22-2, NOV-FEB) continues from the field's
                // start, as Quartz does.
                let span = self.max - self.min + 1;
                let mut v = start;
                while v <= end + span {
                    set.bits.insert(((v - self.min) % span) as usize);
                    v += step;
                }
            } else {
                let mut v = start;
                while v <= end {
                    set.bits.insert((v - self.min) as usize);
                    v += step;
                }
            }
        }
        Ok(set)
    }
}
