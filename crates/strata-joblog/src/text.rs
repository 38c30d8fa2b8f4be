//! Small byte-level helpers shared by the parsers. Everything works on `&[u8]`
//! because logs are arbitrary bytes; text is only made a `String` (lossily,
//! capped) when it is stored.

use super::limits::MAX_TEXT_BYTES;

/// Stores log text: invalid UTF-8 becomes U+FFFD and anything past the text cap is cut
/// (at a character boundary, so the result stays valid UTF-8).
pub fn owned_text(bytes: &[u8]) -> String {
    let kept = bytes.get(..MAX_TEXT_BYTES).unwrap_or(bytes);
    let mut text = String::from_utf8_lossy(kept).into_owned();
    if bytes.len() > MAX_TEXT_BYTES {
        // A cut through a multi-byte character became U+FFFD above; mark the cut itself too.
        text.push('…');
    }
    text
}

pub fn trim(bytes: &[u8]) -> &[u8] {
    trim_end(trim_start(bytes))
}

pub fn trim_start(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    bytes.get(skip..).unwrap_or_default()
}

pub fn trim_end(bytes: &[u8]) -> &[u8] {
    let keep = bytes.len()
        - bytes
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
    bytes.get(..keep).unwrap_or_default()
}

/// Removes a trailing `...` (runner notices end with it) and surrounding blanks.
pub fn trim_ellipsis(bytes: &[u8]) -> &[u8] {
    let trimmed = trim_end(bytes);
    trim_end(trimmed.strip_suffix(b"...").unwrap_or(trimmed))
}

/// Position of `needle` in `haystack`. Lines are short and needles shorter, so a
/// search for the needle's first byte beats building a `memmem` searcher per call
/// (which showed up in profiles); the work stays bounded by line × needle length.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = needle.split_first() else {
        return Some(0);
    };
    let mut from = 0;
    while let Some(offset) = haystack
        .get(from..)
        .and_then(|tail| memchr::memchr(first, tail))
    {
        let at = from + offset;
        if haystack
            .get(at + 1..)
            .is_some_and(|after| after.starts_with(rest))
        {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
}

/// Splits off a leading run of ASCII digits and returns its value (saturating).
pub fn leading_number(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let value = bytes.get(..digits)?.iter().fold(0u64, |acc, digit| {
        acc.saturating_mul(10)
            .saturating_add(u64::from(digit - b'0'))
    });
    Some((value, bytes.get(digits..).unwrap_or_default()))
}

/// Parses `12`, `12.3` or `12.345` (more decimals are ignored) scaled by `unit`:
/// `scaled_decimal(b"1.5", 1000)` is 1500. Returns the value and the rest.
pub fn scaled_decimal(bytes: &[u8], unit: u64) -> Option<(u64, &[u8])> {
    let (whole, mut rest) = leading_number(bytes)?;
    let mut value = whole.saturating_mul(unit);
    if let Some(fraction) = rest.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        let mut scale = unit;
        for digit in fraction.iter().take(digits) {
            scale /= 10;
            value = value.saturating_add(u64::from(digit - b'0').saturating_mul(scale));
        }
        rest = fraction.get(digits..).unwrap_or_default();
    }
    Some((value, rest))
}

/// Parses a duration printed as seconds, `6.8s` or `0.084`, into milliseconds.
pub fn seconds_to_ms(bytes: &[u8]) -> Option<i64> {
    let (ms, rest) = scaled_decimal(bytes, 1000)?;
    if !(rest.is_empty() || rest == b"s") {
        return None;
    }
    i64::try_from(ms).ok()
}

/// Parses a size such as `12.34 MB`, `999 B` or `1.5 MiB` (what the runner's transfer
/// meter prints) into bytes. Returns the size and the text after the unit.
pub fn size_to_bytes(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let (milli_units, rest) = scaled_decimal(bytes, 1000)?;
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    let unit_len = rest.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let unit = rest.get(..unit_len)?;
    let multiplier: u64 = match unit {
        b"B" => 1,
        b"kB" | b"KB" => 1_000,
        b"MB" => 1_000_000,
        b"GB" => 1_000_000_000,
        b"TB" => 1_000_000_000_000,
        b"KiB" => 1 << 10,
        b"MiB" => 1 << 20,
        b"GiB" => 1 << 30,
        b"TiB" => 1 << 40,
        _ => return None,
    };
    let size = milli_units.saturating_mul(multiplier) / 1000;
    Some((size, rest.get(unit_len..).unwrap_or_default()))
}

/// Value of a `key=value` field in a runner log line (`id=123 status=200`), up to the
/// next blank. The key must start the line or follow a blank.
pub fn field_value<'a>(line: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let mut from = 0;
    while let Some(found) = line.get(from..).and_then(|rest| find(rest, key)) {
        let at = from + found;
        let after = at + key.len();
        let starts_field = at == 0 || line.get(at - 1).is_some_and(|b| b.is_ascii_whitespace());
        if starts_field && line.get(after) == Some(&b'=') {
            let value = line.get(after + 1..).unwrap_or_default();
            let end = value
                .iter()
                .position(|b| b.is_ascii_whitespace())
                .unwrap_or(value.len());
            return value.get(..end);
        }
        from = after;
    }
    None
}

/// Case-insensitive ASCII prefix test.
pub fn starts_with_ignore_case(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_durations() {
        assert_eq!(leading_number(b"123abc"), Some((123, &b"abc"[..])));
        assert_eq!(leading_number(b"abc"), None);
        assert_eq!(
            leading_number(b"99999999999999999999999"),
            Some((u64::MAX, &b""[..]))
        );
        assert_eq!(seconds_to_ms(b"6.8s"), Some(6800));
        assert_eq!(seconds_to_ms(b"0.084"), Some(84));
        assert_eq!(seconds_to_ms(b"10s"), Some(10000));
        assert_eq!(seconds_to_ms(b"1.23456s"), Some(1234));
        assert_eq!(seconds_to_ms(b"1.2x"), None);
        assert_eq!(seconds_to_ms(b"s"), None);
    }

    #[test]
    fn sizes() {
        assert_eq!(
            size_to_bytes(b"12.34 MB (1.2 MB/s)").map(|s| s.0),
            Some(12_340_000)
        );
        assert_eq!(size_to_bytes(b"999 B").map(|s| s.0), Some(999));
        assert_eq!(size_to_bytes(b"1.5 MiB").map(|s| s.0), Some(1_572_864));
        assert_eq!(size_to_bytes(b"1.5 parsecs"), None);
    }

    #[test]
    fn fields() {
        let line = b"ok  id=1280281190 status=200 token=zaM3ywFV";
        assert_eq!(field_value(line, b"id"), Some(&b"1280281190"[..]));
        assert_eq!(field_value(line, b"status"), Some(&b"200"[..]));
        assert_eq!(field_value(b"responseStatus=201 Created", b"status"), None);
        assert_eq!(
            field_value(b"responseStatus=201 Created", b"responseStatus"),
            Some(&b"201"[..])
        );
    }

    #[test]
    fn owned_text_is_capped_and_lossy() {
        assert_eq!(owned_text(b"a\xffb"), "a\u{fffd}b");
        let long = vec![b'x'; 2000];
        assert!(owned_text(&long).len() < 600);
    }

    #[test]
    fn finding() {
        assert_eq!(find(b"a: found 3", b": found "), Some(1));
        assert_eq!(find(b"::: found", b": found"), Some(2));
        assert_eq!(find(b"abc", b"abcd"), None);
        assert_eq!(find(b"abc", b""), Some(0));
        assert_eq!(find(b"", b"a"), None);
    }

    #[test]
    fn trimming() {
        assert_eq!(trim_ellipsis(b"key-1... "), b"key-1");
        assert_eq!(trim(b"  a b \t"), b"a b");
        assert_eq!(trim(b"   "), b"");
    }
}
