use crate::AccountError;

/// An email address, trimmed and lower-cased so that one person has one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Normalises and checks the shape of an address; deliverability is not checked here.
    pub fn parse(raw: &str) -> Result<Self, AccountError> {
        let normalised = raw.trim().to_lowercase();
        let invalid = |why: &str| Err(AccountError::InvalidEmail(why.to_owned()));
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
