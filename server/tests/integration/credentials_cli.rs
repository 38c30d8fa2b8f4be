//! `strata hash-password` and `strata new-token` print entries a STRATA_AUTH file accepts.

use std::{
    io::Write,
    process::{Command, Stdio},
};

use strata::auth::{AuthConfig, secrets};

fn strata(args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn hash_password_prints_an_argon2_hash_of_stdin() {
    let (ok, out, _) = strata(&["hash-password"], "s3cret pass\n");
    assert!(ok);
    let hash = out.trim();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(secrets::verify_password("s3cret pass", hash));
    assert!(
        !secrets::verify_password("s3cret pass\n", hash),
        "the newline is not part of it"
    );
    let config = format!("[[users]]\nname = \"a\"\npassword_hash = \"{hash}\"\n");
    AuthConfig::parse(&config).unwrap();

    let (ok, _, err) = strata(&["hash-password"], "");
    assert!(!ok && err.contains("empty"), "{err}");
}

#[test]
fn new_token_prints_the_token_and_its_entry() {
    let (ok, out, err) = strata(&["new-token", "--name", "grafana"], "");
    assert!(ok);
    let token = err
        .lines()
        .find_map(|l| l.strip_prefix("#   "))
        .expect("the token on stderr")
        .trim();
    let config = AuthConfig::parse(&out).unwrap();
    assert_eq!(config.tokens[0].name, "grafana");
    assert_eq!(config.tokens[0].sha256, secrets::sha256_hex(token));
    assert!(
        !out.contains(token),
        "stdout (the file entry) never holds the token"
    );
}
