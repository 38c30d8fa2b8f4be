//! Caps that keep memory bounded whatever the size of the log.
//!
//! Everything the analyser stores is limited by one of these; what goes past a
//! cap is counted in `log.dropped` (or cut, for text) so that a report can say
//! that it is incomplete instead of silently lying.

/// Bytes of one line that are kept and inspected; the rest is skipped with a warning.
/// Runner and builder messages are short, so the beginning of a line is all that matters.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

pub const MAX_SECTIONS: usize = 4096;
/// Deeper nesting than this is certainly not a runner's doing.
pub const MAX_SECTION_DEPTH: usize = 64;
pub const MAX_CACHE_OPS: usize = 256;
pub const MAX_FALLBACK_KEYS: usize = 8;
pub const MAX_ARTIFACT_OPS: usize = 1024;
pub const MAX_DOCKER_BUILDS: usize = 32;
pub const MAX_STEPS_PER_BUILD: usize = 256;
/// BuildKit vertices tracked per build (steps plus internal vertices).
pub const MAX_VERTICES_PER_BUILD: usize = 1024;
pub const MAX_WARNINGS: usize = 256;

/// Longest stored text field (keys, names, instructions), in bytes.
pub const MAX_TEXT_BYTES: usize = 512;
