//! Collects what the analyser could not read, capped so a hostile log cannot
//! grow the result; the excess is counted.

use super::limits::MAX_WARNINGS;
use super::model::{Warning, WarningKind};

#[derive(Debug, Default)]
pub struct Warnings {
    stored: Vec<Warning>,
    dropped: u64,
}

impl Warnings {
    pub fn push(&mut self, kind: WarningKind, line: u64, detail: impl FnOnce() -> String) {
        if self.stored.len() < MAX_WARNINGS {
            // The detail is only formatted when it will be kept.
            self.stored.push(Warning {
                kind,
                line,
                detail: detail(),
            });
        } else {
            self.dropped = self.dropped.saturating_add(1);
        }
    }

    pub fn into_parts(self) -> (Vec<Warning>, u64) {
        (self.stored, self.dropped)
    }
}
