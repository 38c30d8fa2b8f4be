//! Inputs that once broke (or nearly broke) the analyser, kept forever.

use super::support::analyze_checked;

#[test]
fn degenerate_inputs() {
    let cases: &[&[u8]] = &[
        b"",
        b"\r",
        b"\n",
        b"\r\r\n\r",
        b"\x1b",
        b"\x1b[",
        b"\x1b]8;;",
        b"section_start:",
        b"section_start:9223372036854775807:a\n",
        b"section_start:1:a\nsection_start:1:a\nsection_end:1:a\n",
        b"2026-01-21T09:47:05.094219Z 00O ",
        b"2026-01-21T09:47:05.094219Z 00O+\r",
        b"9999-12-31T23:59:59.999999Z 00O section_start:0:a\n0000-01-01T00:00:00.000000Z 00O section_end:0:a\n",
        b"#1 [a 1/1] X\n#1 DONE 99999999999999999999s\n",
        b"[+] Building 99999999999999999999.9s (1/1) FINISHED\n => [1/1] X  1.0s\n",
        b"INFO[99999999999999999999] Building stage 'x' [idx: '99999999999999999999'\n",
    ];
    for case in cases {
        let analysis = analyze_checked(case);
        assert!(analysis.log.span_ms >= 0);
    }
}
