//! The analyser's hot-path filter. In a big log nearly every line is compiler or
//! test output inside `step_script`; this decides from the first bytes of a line
//! whether it can matter there at all, so the rest of the analyser only sees the
//! few that can.
//!
//! It must never dismiss a line the full reader would act on; the property test
//! `fast_path_changes_nothing` compares whole analyses with and without it.

use super::ansi::skip_leading_escapes;
use super::docker::{may_be_builder_output, without_one_blank};
use super::timestamp::TimestampParser;

/// Whether a segment can matter in a bulk context: exactly the segments that
/// `read_segment` could act on there — a timestamp prefix, a marker after any
/// escapes, or a line the Docker reader looks at. Everything else is compiler or
/// test chatter. Two small tables on the first two bytes dismiss nearly all of it
/// without a data-dependent branch; they stay in the L1 cache while the line
/// search streams the log through it.
#[inline(always)]
pub fn may_matter_in_bulk(bytes: &[u8]) -> bool {
    let first = usize::from(bytes.first().copied().unwrap_or(0));
    let second = usize::from(bytes.get(1).copied().unwrap_or(0));
    let rule = FIRST_BYTE_RULE.get(first).copied().unwrap_or(DISMISS);
    let second_ok = SECOND_BYTE_PASSES.get(second).copied().unwrap_or(0);
    if second_ok & (1 << rule) == 0 {
        return false;
    }
    if TimestampParser::may_be_prefix(bytes) {
        return true;
    }
    let lead = skip_leading_escapes(bytes);
    lead.starts_with(b"section_") || may_be_builder_output(without_one_blank(lead))
}

/// Rule numbers: which second bytes let a line with this first byte through.
const DISMISS: u8 = 0;
const KEEP: u8 = 1;
const RULES: [(&[u8], &[u8]); 13] = [
    // (first bytes, second bytes that keep the line)
    (b"0123456789#", b"0123456789"), // timestamp year, BuildKit `#5`
    (b"=", b">"),                    // `=> `
    (b"[", b"+0123456789"),          // `[+]`, `[1/2]`, `[0K`
    (b"s", b"e"),                    // `section_`
    (b"S", b"tTu"),                  // `Step`, `STEP`, `Successfully`
    (b"-", b"-"),                    // `---> `, `--> `
    (b"C", b"O"),                    // `COMMIT`
    (b"T", b"hR"),                   // `The command`, `TRAC[`
    (b"I", b"N"),                    // `INFO[`
    (b"WFP", b"A"),                  // `WARN[`, `FATA[`, `PANI[`
    (b"D", b"E"),                    // `DEBU[`
    (b"Ee", b"Rr"),                  // `ERROR`, `ERRO[`, `Error:`, `error` in any case
    // Builders indent by one blank at most (` ---> `, ` => `).
    (b" \t", b"#=[SC-TIWFDPEe\x1b"),
];

const FIRST_BYTE_RULE: [u8; 256] = {
    let mut table = [DISMISS; 256];
    table[0x1b] = KEEP; // escapes hide what follows
    let mut rule = 0;
    while rule < RULES.len() {
        let firsts = RULES[rule].0;
        let mut index = 0;
        while index < firsts.len() {
            table[firsts[index] as usize] = rule as u8 + 2;
            index += 1;
        }
        rule += 1;
    }
    table
};

const SECOND_BYTE_PASSES: [u16; 256] = {
    let mut table = [1u16 << KEEP; 256];
    let mut rule = 0;
    while rule < RULES.len() {
        let seconds = RULES[rule].1;
        let mut index = 0;
        while index < seconds.len() {
            table[seconds[index] as usize] |= 1 << (rule + 2);
            index += 1;
        }
        rule += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::may_matter_in_bulk;

    #[test]
    fn fast_path_keeps_every_builder_line_and_marker() {
        let lines: &[&[u8]] = &[
            b"#5 [2/2] RUN x",
            b"#0 building with",
            b"=> CACHED [1/2] FROM x",
            b" => [2/2] RUN y  1.0s",
            b"[+] Building 1.0s (2/2) FINISHED",
            b"[1/2] STEP 1/7: FROM x",
            b"STEP 2/3: RUN y",
            b"Step 1/3 : FROM x",
            b" ---> Using cache",
            b"--> Using cache abc",
            b"Successfully built abc",
            b"Successfully tagged x",
            b"COMMIT img",
            b"[2/2] COMMIT img",
            b"The command '/bin/sh -c false' returned a non-zero code: 1",
            b"INFO[0001] RUN x",
            b"WARN[0001] x",
            b"ERRO[0001] x",
            b"FATA[0001] x",
            b"DEBU[0001] x",
            b"TRAC[0001] x",
            b"\x1b[36mINFO\x1b[0m[0000] x",
            b"[36mINFO[0m[0000] x",
            b"ERROR: failed to solve: x",
            b"error: failed to solve: x",
            b"Error: building at STEP \"RUN x\": exit status 1",
            b"error building image: x",
            b"error building at STEP x",
            b"section_start:1:a",
            b"[0Ksection_end:1:a",
            b"\x1b[0Ksection_end:1:a",
            b"2026-01-21T09:47:05.094219Z 00O x",
            b"\tStep 1/2 : FROM x",
            b"\x1b[34m => [2/2] RUN y  1.0s",
        ];
        for line in lines {
            assert!(
                may_matter_in_bulk(line),
                "dismissed: {}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn fast_path_dismisses_chatter() {
        let lines: &[&[u8]] = &[
            b"make[1]: Leaving directory",
            b"    --- PASS: TestX (0.00s)",
            b"=== RUN   TestX",
            b"Enter the URL",
            b"[https://gitlab.com]",
            b"\x1b[0;33mWARNING: x",
            b"100% done",
            b"Compiling x",
            b"/usr/bin/ld",
        ];
        for line in lines {
            assert!(
                !may_matter_in_bulk(line),
                "kept: {}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
