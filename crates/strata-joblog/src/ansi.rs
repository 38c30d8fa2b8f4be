//! Terminal escape sequences: the runner colours its own messages (`\e[32;1m`),
//! erases lines after section markers (`\e[0K`) and resets colours (`\e[0;m`).
//!
//! Stripping is lazy: the line loop only skips the escapes at the start of a line
//! to see its first real bytes, and a full copy without escapes is made only for
//! lines a parser has already recognised as interesting.
//!
//! Besides real sequences (ESC `[` … final byte, ESC `]` … BEL/ST, ESC + one byte)
//! this also removes the remnants left when someone deleted the ESC bytes from a
//! log (the gitlab-exporter fixture): `[` + digits/semicolons + `m` or `K`. Only
//! those two final bytes — the ones GitLab Runner emits — are accepted and at least
//! one digit is required, so `[1/2]` or `[INFO]` in user output are left alone.

const ESC: u8 = 0x1b;

/// Length of the escape sequence (or ESC-less remnant) at the start of `bytes`, if any.
fn escape_len(bytes: &[u8]) -> Option<usize> {
    match bytes.first()? {
        &ESC => Some(real_escape_len(bytes)),
        b'[' => remnant_len(bytes),
        _ => None,
    }
}

fn real_escape_len(bytes: &[u8]) -> usize {
    match bytes.get(1) {
        None => 1,
        Some(b'[') => {
            // CSI: parameter bytes 0x30–0x3F, intermediate bytes 0x20–0x2F, final 0x40–0x7E.
            let body = bytes.get(2..).unwrap_or_default();
            let params = body
                .iter()
                .take_while(|b| (0x30..=0x3f).contains(*b))
                .count();
            let rest = body.get(params..).unwrap_or_default();
            let inter = rest
                .iter()
                .take_while(|b| (0x20..=0x2f).contains(*b))
                .count();
            let has_final = rest.get(inter).is_some_and(|b| (0x40..=0x7e).contains(b));
            // A sequence cut short is dropped as far as it goes.
            2 + params + inter + usize::from(has_final)
        }
        Some(b']') => {
            // OSC (hyperlinks, window titles): ends at BEL or ESC '\'.
            let body = bytes.get(2..).unwrap_or_default();
            match body.iter().position(|b| *b == 0x07 || *b == ESC) {
                Some(end) if body.get(end) == Some(&0x07) => 2 + end + 1,
                Some(end) if body.get(end + 1) == Some(&b'\\') => 2 + end + 2,
                Some(end) => 2 + end,
                None => bytes.len(),
            }
        }
        Some(_) => 2,
    }
}

fn remnant_len(bytes: &[u8]) -> Option<usize> {
    let body = bytes.get(1..)?;
    let params = body
        .iter()
        .take_while(|b| b.is_ascii_digit() || **b == b';')
        .count();
    let final_byte = *body.get(params)?;
    let has_digit = body.get(..params)?.iter().any(u8::is_ascii_digit);
    (has_digit && (final_byte == b'm' || final_byte == b'K')).then_some(1 + params + 1)
}

/// `line` without the escape sequences at its start.
pub fn skip_leading_escapes(mut line: &[u8]) -> &[u8] {
    while let Some(len) = escape_len(line) {
        line = line.get(len..).unwrap_or_default();
    }
    line
}

/// Appends `line` to `out` with every escape sequence removed.
pub fn strip_into(line: &[u8], out: &mut Vec<u8>) {
    let mut rest = line;
    while let Some(at) = memchr::memchr2(ESC, b'[', rest) {
        out.extend_from_slice(rest.get(..at).unwrap_or_default());
        let candidate = rest.get(at..).unwrap_or_default();
        match escape_len(candidate) {
            Some(len) => rest = candidate.get(len..).unwrap_or_default(),
            None => {
                // A `[` that starts no remnant is ordinary text.
                out.extend_from_slice(candidate.get(..1).unwrap_or_default());
                rest = candidate.get(1..).unwrap_or_default();
            }
        }
    }
    out.extend_from_slice(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stripped(line: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        strip_into(line, &mut out);
        out
    }

    #[test]
    fn strips_runner_colours() {
        assert_eq!(
            stripped(b"\x1b[0;m\x1b[32;1mChecking cache for k...\x1b[0;m"),
            b"Checking cache for k..."
        );
        assert_eq!(
            stripped(b"ok      \x1b[0;m  id\x1b[0;m=1 status\x1b[0;m=200"),
            b"ok        id=1 status=200"
        );
        assert_eq!(
            stripped(b"\x1b[M\x1b]8;;http://x\x07link\x1b]8;;\x1b\\"),
            b"link"
        );
    }

    #[test]
    fn strips_esc_less_remnants_but_not_brackets() {
        assert_eq!(
            stripped(b"[0K[0K[36;1mRestoring cache[0;m[0;m"),
            b"Restoring cache"
        );
        assert_eq!(
            stripped(b"[1/2] STEP 1/7: FROM x"),
            b"[1/2] STEP 1/7: FROM x"
        );
        assert_eq!(stripped(b"[INFO] [m] [;m] [12"), b"[INFO] [m] [;m] [12");
    }

    #[test]
    fn leading_skip() {
        assert_eq!(
            skip_leading_escapes(b"\x1b[0;msection_start:1:a"),
            b"section_start:1:a"
        );
        assert_eq!(
            skip_leading_escapes(b"[0Ksection_start:1:a"),
            b"section_start:1:a"
        );
        assert_eq!(skip_leading_escapes(b"\x1b"), b"");
        assert_eq!(skip_leading_escapes(b"\x1b[1;2"), b"");
        assert_eq!(skip_leading_escapes(b"plain"), b"plain");
    }
}
