//! `strata hash-password` and `strata new-token`: the entries of a STRATA_AUTH file.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, bail};

use crate::auth::secrets;

/// Read one line (the password) from stdin; print the argon2 PHC string on stdout.
pub fn hash_password() -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        // The password is echoed: say so, and how to avoid it.
        eprint!("Password (shown as typed; pipe it in to avoid that): ");
        std::io::stderr().flush().ok();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        bail!("the password is empty: type it, or pipe it in (strata hash-password < file)");
    }
    println!("{}", secrets::hash_password(password)?);
    Ok(())
}

/// Print a new token (for the client) and its `[[tokens]]` entry (for the server).
pub fn new_token(name: &str) -> anyhow::Result<()> {
    let token = secrets::random_token();
    eprintln!(
        "# Give the client this token (it is not stored anywhere; it cannot be shown again):"
    );
    eprintln!("#   {token}");
    eprintln!("# and add this to the STRATA_AUTH file:");
    let name = toml_string(name);
    println!(
        "[[tokens]]\nname = {name}\nsha256 = \"{}\"",
        secrets::sha256_hex(&token)
    );
    Ok(())
}

fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}
