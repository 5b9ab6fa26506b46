use unicode_normalization::UnicodeNormalization;

use crate::AccountError;

/// Characters that show as nothing (zero-width, joiners, direction marks, BOM, soft
/// hyphen): an address containing one looks like another address and is refused.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
        | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}'
        | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}'
        | '\u{E0000}'..='\u{E0FFF}')
}

/// An email address, trimmed, NFKC-normalised and lower-cased so that one person has
/// one account: full-width letters, ligatures and other compatibility spellings become
/// their plain form, and invisible or control characters are refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Normalises and checks the shape of an address; deliverability is not checked here.
    pub fn parse(raw: &str) -> Result<Self, AccountError> {
        let invalid = |why: &str| Err(AccountError::InvalidEmail(why.to_owned()));
        if raw.chars().any(|c| c.is_control() || is_invisible(c)) {
            return invalid("email must not contain control or invisible characters");
        }
        let normalised: String = raw.trim().nfkc().collect::<String>().to_lowercase();
        // Lower-casing can leave a form NFKC would change again; normalise once more.
        let normalised: String = normalised.nfkc().collect();
        if normalised.is_empty() {
            return invalid("email is required");
        }
        if normalised.len() > 254 {
            return invalid("email is longer than 254 characters");
        }
        let Some((local, domain)) = normalised.split_once('@') else {
            return invalid("email must contain @");
        };
        if local.is_empty() || domain.is_empty() || domain.contains('@') {
            return invalid("email must look like name@example.org");
        }
        if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
            return invalid("email domain must look like example.org");
        }
        if normalised
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return invalid("email must not contain spaces");
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_whitespace() {
        let email = Email::parse("  Tsering@Example.ORG ").map(|e| e.as_str().to_owned());
        assert_eq!(email.ok().as_deref(), Some("tsering@example.org"));
    }

    #[test]
    fn look_alike_spellings_are_one_address_and_invisible_characters_are_refused() {
        let plain = Email::parse("tsering@example.org")
            .map(|e| e.as_str().to_owned())
            .ok();
        // Full-width letters and the "ﬁ" ligature are compatibility forms of ASCII.
        for look_alike in ["ｔｓｅｒｉｎｇ@example.org", "TSERING@EXAMPLE.ORG"] {
            let parsed = Email::parse(look_alike).map(|e| e.as_str().to_owned());
            assert_eq!(parsed.ok(), plain, "{look_alike}");
        }
        assert_eq!(
            Email::parse("ﬁnance@example.org")
                .map(|e| e.as_str().to_owned())
                .ok()
                .as_deref(),
            Some("finance@example.org")
        );
        for hidden in [
            "tser\u{200B}ing@example.org",
            "tsering\u{200D}@example.org",
            "\u{FEFF}tsering@example.org",
            "tsering@exam\u{00AD}ple.org",
            "tsering\u{0000}@example.org",
            "tsering@example.org\u{202E}",
        ] {
            assert!(
                Email::parse(hidden).is_err(),
                "{hidden:?} should be refused"
            );
        }
    }

    #[test]
    fn rejects_malformed_addresses() {
        for raw in [
            "",
            "no-at-sign",
            "@example.org",
            "a@",
            "a@b",
            "a b@example.org",
            "a@@b.org",
        ] {
            assert!(Email::parse(raw).is_err(), "{raw} should be rejected");
        }
    }
}
