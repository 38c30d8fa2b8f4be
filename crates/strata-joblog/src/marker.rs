//! Section markers: `section_start:<unix seconds>:<name>[options]` and
//! `section_end:<unix seconds>:<name>` (gitlab-runner helpers/build_section.go).
//! Names follow GitLab's own pattern `[A-Za-z0-9_.-]+`; options are a
//! comma-separated `key=value` list in brackets right after the name.

use super::text::{leading_number, starts_with_ignore_case};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerKind {
    Start,
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marker<'a> {
    pub kind: MarkerKind,
    pub unix_seconds: i64,
    pub name: &'a [u8],
    pub collapsed: bool,
    pub hide_duration: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerParse<'a> {
    /// The line does not start with a marker keyword.
    NotMarker,
    Marker(Marker<'a>),
    /// Starts like a marker but does not parse; the caller warns.
    Malformed,
}

/// Parses the marker at the start of `line` (escapes already skipped).
pub fn parse_marker(line: &[u8]) -> MarkerParse<'_> {
    let (kind, rest) = if let Some(rest) = line.strip_prefix(b"section_start:") {
        (MarkerKind::Start, rest)
    } else if let Some(rest) = line.strip_prefix(b"section_end:") {
        (MarkerKind::End, rest)
    } else {
        return MarkerParse::NotMarker;
    };
    parse_fields(kind, rest).map_or(MarkerParse::Malformed, MarkerParse::Marker)
}

fn parse_fields(kind: MarkerKind, rest: &[u8]) -> Option<Marker<'_>> {
    let (seconds, rest) = leading_number(rest)?;
    let unix_seconds = i64::try_from(seconds)
        .ok()
        .filter(|s| *s < i64::MAX / 1000)?;
    let rest = rest.strip_prefix(b":")?;
    let name_len = rest.iter().take_while(|b| is_name_byte(**b)).count();
    if name_len == 0 {
        return None;
    }
    let name = rest.get(..name_len)?;
    let mut marker = Marker {
        kind,
        unix_seconds,
        name,
        collapsed: false,
        hide_duration: false,
    };
    if let Some(options) = rest
        .get(name_len..)
        .and_then(|after| after.strip_prefix(b"["))
    {
        let end = options.iter().position(|b| *b == b']')?;
        for option in options.get(..end)?.split(|b| *b == b',') {
            let option = option.trim_ascii();
            marker.collapsed |= starts_with_ignore_case(option, b"collapsed=true");
            marker.hide_duration |= starts_with_ignore_case(option, b"hide_duration=true");
        }
    }
    Some(marker)
}

fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker(line: &[u8]) -> Option<Marker<'_>> {
        match parse_marker(line) {
            MarkerParse::Marker(marker) => Some(marker),
            _ => None,
        }
    }

    #[test]
    fn parses_starts_ends_and_options() {
        let start = marker(b"section_start:1624482342:resolve_secrets")
            .unwrap_or_else(|| panic!("no marker"));
        assert_eq!(
            (start.kind, start.unix_seconds, start.name),
            (MarkerKind::Start, 1_624_482_342, &b"resolve_secrets"[..])
        );
        let end = marker(b"section_end:1:a.b-c_d\x1b[0K").unwrap_or_else(|| panic!("no marker"));
        assert_eq!((end.kind, end.name), (MarkerKind::End, &b"a.b-c_d"[..]));
        let options = marker(b"section_start:5:step_x[hide_duration=true,collapsed=true]")
            .unwrap_or_else(|| panic!("no marker"));
        assert!(options.collapsed && options.hide_duration);
        let collapsed = marker(b"section_start:5:mine[collapsed=true]\r")
            .unwrap_or_else(|| panic!("no marker"));
        assert!(collapsed.collapsed && !collapsed.hide_duration);
    }

    #[test]
    fn malformed_and_non_markers() {
        assert_eq!(parse_marker(b"sections are fun"), MarkerParse::NotMarker);
        assert_eq!(
            parse_marker(b"echo section_start:1:a"),
            MarkerParse::NotMarker
        );
        for line in [
            &b"section_start:"[..],
            b"section_start:abc:name",
            b"section_end:123:",
            b"section_end:123name",
            b"section_start:99999999999999999999:name",
            b"section_start:1:name[collapsed=true",
        ] {
            assert_eq!(
                parse_marker(line),
                MarkerParse::Malformed,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
