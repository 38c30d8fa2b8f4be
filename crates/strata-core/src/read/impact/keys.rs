//! Cache keys grouped by what they mean, not by their exact text: per-commit, per-pipeline
//! and per-lock-file keys differ in every pipeline, so their hit rate only makes sense for
//! the pattern (`dist-{sha}`), with the pattern shown so people recognise their `cache:key`.

/// The pattern of a raw cache key. Tokens (split on `-`, `_`, `/`, `.`, `:`, `@`) that are
/// 40- or 64-digit hex become `{sha}`, other hex of 7+ digits with a digit in it `{hash}`,
/// runs of 3+ decimal digits `{n}`; GitLab's `-protected`/`-non_protected` suffix becomes
/// `-{protection}`.
pub fn normalise(key: &str) -> String {
    let (body, suffix) = match key
        .strip_suffix("-non_protected")
        .or_else(|| key.strip_suffix("-protected"))
    {
        Some(body) => (body, "-{protection}"),
        None => (key, ""),
    };
    let mut out = String::with_capacity(key.len());
    let mut token = String::new();
    for c in body.chars() {
        if matches!(c, '-' | '_' | '/' | '.' | ':' | '@') {
            out.push_str(&token_pattern(&token));
            token.clear();
            out.push(c);
        } else {
            token.push(c);
        }
    }
    out.push_str(&token_pattern(&token));
    out.push_str(suffix);
    out
}

fn token_pattern(token: &str) -> String {
    let n = token.len();
    let all_digits = n > 0 && token.bytes().all(|b| b.is_ascii_digit());
    let all_hex = n > 0 && token.bytes().all(|b| b.is_ascii_hexdigit());
    if all_digits && n >= 3 && n != 40 && n != 64 {
        "{n}".to_owned()
    } else if all_hex && (n == 40 || n == 64) {
        "{sha}".to_owned()
    } else if all_hex && n >= 7 && token.bytes().any(|b| b.is_ascii_digit()) {
        "{hash}".to_owned()
    } else {
        token.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn per_commit_pipeline_and_lock_keys_group_together() {
        let sha = "3f786850e387550fdab836ed7e6dc881de23001b";
        assert_eq!(normalise(&format!("dist-{sha}")), "dist-{sha}");
        assert_eq!(
            normalise(&format!("dist-{sha}-protected")),
            "dist-{sha}-{protection}"
        );
        assert_eq!(
            normalise("node-modules-0a1b2c3d-non_protected"),
            "node-modules-{hash}-{protection}"
        );
        assert_eq!(normalise("build-123456"), "build-{n}");
        assert_eq!(normalise("pip_3.12_1a2b3c4"), "pip_3.12_{hash}");
    }

    #[test]
    fn ordinary_words_and_short_numbers_stay() {
        assert_eq!(normalise("default"), "default");
        assert_eq!(normalise("default-protected"), "default-{protection}");
        assert_eq!(normalise("node-20"), "node-20");
        // Hex-looking words without digits are words.
        assert_eq!(normalise("cafebabe-deadbeef"), "cafebabe-deadbeef");
        assert_eq!(normalise(""), "");
    }
}
