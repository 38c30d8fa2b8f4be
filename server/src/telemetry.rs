//! Logging, set up once per process. `RUST_LOG` picks verbosity; `STRATA_LOG_FORMAT=json`
//! gives one JSON object per line for log collectors.
//!
//! Logged values come from outside (user names, job names, GitLab's error bodies). In JSON
//! they are escaped by the encoder; in text, [`OneLinePerEvent`] escapes every line break and
//! control character inside an event, so no value can forge a line of its own (a user name
//! `x\nINFO signed in user=admin` once did). Colours are used only on a terminal.

use std::io::{self, IsTerminal, Write};

use tracing_subscriber::{EnvFilter, fmt, fmt::MakeWriter, prelude::*};

use crate::cli::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let registry = tracing_subscriber::registry().with(filter);
    let ansi = io::stderr().is_terminal();
    // try_init: tests may call this more than once in one process.
    let _ = match format {
        LogFormat::Text => registry
            .with(
                fmt::layer()
                    .with_ansi(ansi)
                    .with_writer(OneLinePerEvent::new(io::stderr, ansi)),
            )
            .try_init(),
        LogFormat::Json => registry
            .with(fmt::layer().json().with_writer(io::stderr))
            .try_init(),
    };
}

/// A [`MakeWriter`] whose writers escape control characters inside each event.
///
/// tracing-subscriber formats an event into a buffer and hands it over with one
/// `write_all`, so each `write` call here is one whole event: its final line break is the
/// only one that belongs to the log.
pub struct OneLinePerEvent<M> {
    inner: M,
    /// Keep ESC, which the formatter's own colours use (on a terminal only).
    keep_escape: bool,
}

impl<M> OneLinePerEvent<M> {
    pub fn new(inner: M, keep_escape: bool) -> Self {
        OneLinePerEvent { inner, keep_escape }
    }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for OneLinePerEvent<M> {
    type Writer = EscapeControls<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        EscapeControls {
            inner: self.inner.make_writer(),
            keep_escape: self.keep_escape,
        }
    }
}

pub struct EscapeControls<W> {
    inner: W,
    keep_escape: bool,
}

impl<W: Write> Write for EscapeControls<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let (body, end): (&[u8], &[u8]) = match buf.strip_suffix(b"\n") {
            Some(body) => (body, b"\n"),
            None => (buf, b""),
        };
        let escape = |b: u8| match b {
            b'\t' => false,
            0x1b => !self.keep_escape,
            b => b < 0x20 || b == 0x7f,
        };
        if !body.iter().any(|&b| escape(b)) {
            self.inner.write_all(buf)?;
            return Ok(buf.len());
        }
        let mut out = Vec::with_capacity(buf.len() + 16);
        for &b in body {
            match b {
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b if escape(b) => write!(out, "\\x{b:02x}")?,
                b => out.push(b),
            }
        }
        out.extend_from_slice(end);
        self.inner.write_all(&out)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A log sink the test can read back.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn an_untrusted_value_cannot_forge_a_log_line() {
        let sink = Captured::default();
        let writer = sink.clone();
        let subscriber = tracing_subscriber::registry().with(
            fmt::layer()
                .with_ansi(false)
                .with_writer(OneLinePerEvent::new(move || writer.clone(), false)),
        );
        let user =
            "mallory\n2026-12-05T00:00:00Z  INFO strata::auth: signed in user=admin\r\x1b[2J\0";
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(user = %user, "failed sign-in");
            tracing::info!("next event");
        });
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].contains("failed sign-in"), "{text}");
        assert!(
            lines[0].contains(r"mallory\n2026-12-05T00:00:00Z  INFO strata::auth: signed in user=admin\r\x1b[2J\x00"),
            "{text}"
        );
        assert!(lines[1].contains("next event"), "{text}");
    }
}
