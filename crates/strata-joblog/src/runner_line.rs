//! Shared reading of the runner's own messages (cache, artifacts): colours
//! removed, blanks trimmed and the logrus level prefix (`WARNING: `, `ERROR: `)
//! dropped — the readers recognise messages by their text, whatever the level.

use super::ansi::strip_into;
use super::text::{size_to_bytes, trim};

#[derive(Debug, Clone, Copy)]
pub struct RunnerLine<'a> {
    pub text: &'a [u8],
}

/// Cleans `line` into `scratch` (reused between lines to avoid allocating).
pub fn clean<'a>(line: &[u8], scratch: &'a mut Vec<u8>) -> RunnerLine<'a> {
    scratch.clear();
    strip_into(line, scratch);
    let text = trim(scratch);
    for prefix in [&b"WARNING: "[..], b"ERROR: ", b"FATAL: ", b"PANIC: "] {
        if let Some(rest) = text.strip_prefix(prefix) {
            return RunnerLine { text: trim(rest) };
        }
    }
    RunnerLine { text }
}

/// Bytes transferred, from the runner's transfer meter line
/// `<label> 12.34 MB/45.67 MB (1.2 MB/s)` (`\r`-refreshed, so the last reading wins).
pub fn meter_bytes(text: &[u8], label: &[u8]) -> Option<u64> {
    let after_label = text.strip_prefix(label)?.strip_prefix(b" ")?;
    let (bytes, rest) = size_to_bytes(after_label)?;
    (rest.is_empty() || rest.starts_with(b"/") || rest.starts_with(b" (")).then_some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_colours() {
        let mut scratch = Vec::new();
        let line = clean(
            b"\x1b[31;1mFATAL: file does not exist                        \x1b[0;m ",
            &mut scratch,
        );
        assert_eq!(line.text, b"file does not exist");
        let line = clean(
            b"\x1b[0;33mWARNING: /builds/x/: no matching files\x1b[0;m ",
            &mut scratch,
        );
        assert_eq!(line.text, b"/builds/x/: no matching files");
    }

    #[test]
    fn meter_readings() {
        assert_eq!(
            meter_bytes(
                b"Downloading cache 12.34 MB/45.67 MB (1.2 MB/s)",
                b"Downloading cache"
            ),
            Some(12_340_000)
        );
        assert_eq!(
            meter_bytes(
                b"Uploading artifacts 950 B (10 B/s)",
                b"Uploading artifacts"
            ),
            Some(950)
        );
        assert_eq!(
            meter_bytes(b"Uploading cache.zip to https://x", b"Uploading cache"),
            None
        );
        assert_eq!(
            meter_bytes(
                b"Downloading artifacts for job (1)...",
                b"Downloading artifacts"
            ),
            None
        );
    }
}
