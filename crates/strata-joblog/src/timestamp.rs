//! The FF_TIMESTAMPS line prefix: `2026-01-21T09:47:05.094219Z 00O ` — RFC 3339 UTC
//! time with a fraction, a blank, a 2-hex-digit stream id, `O`/`E` for
//! stdout/stderr and `' '` for a new line or `+` for a continuation
//! (gitlab-runner common/buildlogger/internal/timestamper).

use chrono::NaiveDate;

/// A parsed prefix: the instant in epoch milliseconds and how many bytes it spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimestampPrefix {
    pub instant_ms: i64,
    pub len: usize,
}

/// Remembers the last date-and-time-to-seconds it converted: consecutive lines nearly
/// always share it, so the calendar arithmetic runs about once per second of log.
#[derive(Debug, Default)]
pub struct TimestampParser {
    cached_seconds_text: [u8; 19],
    cached_epoch_seconds: Option<i64>,
}

impl TimestampParser {
    /// The cheap test `parse_prefix` starts with: almost every line of an
    /// untimestamped log fails it.
    #[inline(always)]
    pub fn may_be_prefix(line: &[u8]) -> bool {
        line.len() >= 25 && line.get(4) == Some(&b'-') && line.get(10) == Some(&b'T')
    }

    pub fn parse_prefix(&mut self, line: &[u8]) -> Option<TimestampPrefix> {
        if !Self::may_be_prefix(line) {
            return None;
        }
        let seconds_text: [u8; 19] = line.get(..19)?.try_into().ok()?;
        let epoch_seconds = match self.cached_epoch_seconds {
            Some(seconds) if seconds_text == self.cached_seconds_text => seconds,
            _ => {
                let seconds = epoch_seconds(&seconds_text)?;
                self.cached_seconds_text = seconds_text;
                self.cached_epoch_seconds = Some(seconds);
                seconds
            }
        };
        let after_seconds = line.get(19..)?;
        let fraction = after_seconds.strip_prefix(b".")?;
        let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        let millis = fraction
            .iter()
            .take(3)
            .take_while(|b| b.is_ascii_digit())
            .chain(std::iter::repeat(&b'0'))
            .take(3)
            .fold(0i64, |acc, digit| acc * 10 + i64::from(digit - b'0'));
        let tail = fraction.get(digits..)?;
        // `Z`, blank, two hex digits, stream type, line type.
        let header = tail.get(..6)?;
        let well_formed = header.first() == Some(&b'Z')
            && header.get(1) == Some(&b' ')
            && header
                .get(2..4)
                .is_some_and(|id| id.iter().all(u8::is_ascii_hexdigit))
            && matches!(header.get(4), Some(b'O' | b'E'))
            && matches!(header.get(5), Some(b' ' | b'+'));
        if !well_formed {
            return None;
        }
        Some(TimestampPrefix {
            instant_ms: epoch_seconds.saturating_mul(1000).saturating_add(millis),
            len: 19 + 1 + digits + 6,
        })
    }
}

/// `YYYY-MM-DDTHH:MM:SS` to epoch seconds; `None` for anything that is not a real UTC time.
fn epoch_seconds(text: &[u8; 19]) -> Option<i64> {
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = text.get(range)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(
            digits
                .iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')),
        )
    };
    let separators_ok = text[4] == b'-'
        && text[7] == b'-'
        && text[10] == b'T'
        && text[13] == b':'
        && text[16] == b':';
    if !separators_ok {
        return None;
    }
    let year = i32::try_from(number(0..4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)?;
    let time = date.and_hms_opt(number(11..13)?, number(14..16)?, number(17..19)?)?;
    Some(time.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_runner_prefixes() {
        let mut parser = TimestampParser::default();
        let line = b"2026-01-21T09:47:05.094219Z 00O [0KRunning with gitlab-runner";
        let prefix = parser.parse_prefix(line);
        assert_eq!(
            prefix,
            Some(TimestampPrefix {
                instant_ms: 1_768_988_825_094,
                len: 32
            })
        );
        let continued = parser.parse_prefix(
            b"2026-01-21T09:47:26.583007Z 00O+[0Ksection_start:1768988846:prepare_script",
        );
        assert_eq!(
            continued.map(|p| (p.instant_ms, p.len)),
            Some((1_768_988_846_583, 32))
        );
        let stderr = parser.parse_prefix(b"2021-01-01T01:00:00.020010Z ffE line");
        assert_eq!(stderr.map(|p| p.instant_ms), Some(1_609_462_800_020));
    }

    #[test]
    fn rejects_lookalikes() {
        let mut parser = TimestampParser::default();
        for line in [
            &b"2026-01-21T09:47:05.094219Z 0O line"[..],
            b"2026-13-21T09:47:05.094219Z 00O line",
            b"2026-01-21T09:47:05Z 00O line",
            b"2026-01-21T09:47:05.094219Z 00X line",
            b"2026-01-21T09:47:05.094219 00O line",
            b"time=2026-01-21T09:47:05Z",
            b"2026-01-21T09:47:05.094219Z 00O",
        ] {
            assert_eq!(
                parser.parse_prefix(line),
                None,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
