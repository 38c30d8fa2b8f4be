//! Pieces of build output that several builders share.

use super::super::model::DockerStep;
use super::super::text::{find, leading_number, owned_text, starts_with_ignore_case, trim};

/// `3/7` at the start of `text` → (3, 7, rest).
pub fn fraction(text: &[u8]) -> Option<(u32, u32, &[u8])> {
    let (index, rest) = leading_number(text)?;
    let (total, rest) = leading_number(rest.strip_prefix(b"/")?)?;
    Some((u32::try_from(index).ok()?, u32::try_from(total).ok()?, rest))
}

/// The stage name of `FROM image AS name` (any case), if the instruction is one.
pub fn from_alias(instruction: &[u8]) -> Option<&[u8]> {
    if !starts_with_ignore_case(instruction, b"FROM ") {
        return None;
    }
    let lower: Vec<u8> = instruction.to_ascii_lowercase();
    let at = find(&lower, b" as ")?;
    let alias = trim(instruction.get(at + 4..)?);
    let end = alias
        .iter()
        .position(u8::is_ascii_whitespace)
        .unwrap_or(alias.len());
    alias.get(..end).filter(|name| !name.is_empty())
}

pub fn is_from(instruction: &[u8]) -> bool {
    starts_with_ignore_case(instruction, b"FROM ")
}

/// BuildKit's name for an unnamed stage, used for every builder so that stage
/// labels compare across builders: `stage-<0-based index>`.
pub fn unnamed_stage(index_from_zero: u32) -> String {
    format!("stage-{index_from_zero}")
}

pub fn new_step(
    stage: Option<String>,
    index: Option<u32>,
    total: Option<u32>,
    instruction: &[u8],
) -> DockerStep {
    DockerStep {
        stage,
        step_index: index,
        step_total: total,
        instruction: owned_text(trim(instruction)),
        cached: false,
        failed: false,
        duration_ms: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_and_aliases() {
        assert_eq!(fraction(b"3/7: RUN x"), Some((3, 7, &b": RUN x"[..])));
        assert_eq!(fraction(b"3: RUN x"), None);
        assert_eq!(
            from_alias(b"FROM localhost/base:bookworm AS builder"),
            Some(&b"builder"[..])
        );
        assert_eq!(
            from_alias(b"from golang:1.22 as build-env"),
            Some(&b"build-env"[..])
        );
        assert_eq!(from_alias(b"FROM localhost/base:bookworm"), None);
        assert_eq!(from_alias(b"RUN echo FROM x AS y"), None);
    }
}
