//! The consumer-care declaration of a listing (Legal Metrology (Packaged Commodities)
//! Rules 2011, Rule 6(1)(b)): the address, telephone number and e-mail address a buyer
//! contacts with a complaint. Typed and checked, so that "x" or a bare e-mail cannot
//! stand for it.
//!
//! Listings written before the fields existed kept one line of free text ("care@… /
//! +91 …"). Migration m20261203_100003 turned each into the fields it clearly holds
//! (the e-mail address and phone number found in it; the cooperative's registered
//! office as the address) and keeps the text as it was in `legacy_text`; a stored
//! plain string, from anywhere, still reads the same way.

use serde::{Deserialize, Serialize};

use crate::FieldErrorCode;
use kernel::FieldError;

/// Where buyers send complaints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConsumerCare {
    /// A postal address ending with its 6-digit PIN code.
    pub address: Option<String>,
    /// An Indian number: `+91` and ten digits, or a toll-free 1800/1860 number.
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The free text of a declaration written before the fields existed, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy_text: Option<String>,
}

/// How the declaration is stored: the fields, or (written before them) one line of text.
#[derive(Deserialize)]
#[serde(untagged)]
enum Stored {
    Text(String),
    Fields {
        #[serde(default)]
        address: Option<String>,
        #[serde(default)]
        phone: Option<String>,
        #[serde(default)]
        email: Option<String>,
        #[serde(default)]
        legacy_text: Option<String>,
    },
}

impl<'de> Deserialize<'de> for ConsumerCare {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Stored::deserialize(deserializer)? {
            Stored::Text(text) => Self::from_legacy_text(&text, None),
            Stored::Fields {
                address,
                phone,
                email,
                legacy_text,
            } => Self {
                address,
                phone,
                email,
                legacy_text,
            },
        })
    }
}

/// The phone number in `text`, normalised, if it is a valid Indian number: `+91` and
/// ten digits (a mobile, or a landline with its STD code without the leading 0), or a
/// toll-free 1800/1860 number.
pub fn normalise_phone(text: &str) -> Option<String> {
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
        .collect();
    let (plus, digits) = match cleaned.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, cleaned.as_str()),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !plus && (digits.starts_with("1800") || digits.starts_with("1860")) {
        return (10..=11).contains(&digits.len()).then(|| digits.to_owned());
    }
    let national = match (plus, digits.len()) {
        (_, 12) => digits.strip_prefix("91")?,
        (false, 11) => digits.strip_prefix('0')?,
        (false, 10) => digits,
        _ => return None,
    };
    matches!(national.as_bytes().first(), Some(b'1'..=b'9')).then(|| format!("+91{national}"))
}

/// The e-mail address, trimmed and with its domain in lower case, if it looks like one.
pub fn normalise_email(text: &str) -> Option<String> {
    let text = text.trim();
    let (local, domain) = text.split_once('@')?;
    let domain = domain.to_ascii_lowercase();
    let valid = !local.is_empty()
        && text.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(|c| c.is_whitespace() || c.is_control());
    valid.then(|| format!("{local}@{domain}"))
}

/// Whether an address ends with a 6-digit PIN code (the first digit is never 0).
pub(crate) fn ends_with_pin(address: &str) -> bool {
    let digits: Vec<u8> = address
        .trim_end()
        .bytes()
        .rev()
        .take_while(u8::is_ascii_digit)
        .collect();
    digits.len() == 6 && digits.last().is_some_and(|first| *first != b'0')
}

impl ConsumerCare {
    /// The fields a line of old free text clearly holds: the first e-mail address and
    /// the first valid phone number in it, and `address` (the cooperative's registered
    /// address, when the caller knows it). The text is kept as it was.
    pub fn from_legacy_text(text: &str, address: Option<String>) -> Self {
        let email = text
            .split(|c: char| c.is_whitespace() || matches!(c, '/' | ',' | ';' | '|'))
            .find_map(normalise_email);
        // A phone number is a run of digits, spaces, hyphens, brackets and a leading +.
        let phone = text
            .split(|c: char| !(c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '+')))
            .find_map(normalise_phone);
        Self {
            address,
            phone,
            email,
            legacy_text: Some(text.trim().to_owned()).filter(|t| !t.is_empty()),
        }
    }

    /// Checks a declaration as given and returns it normalised, or every problem with
    /// it under `declarations.consumerCare.*`.
    pub fn checked(address: &str, phone: &str, email: &str) -> Result<Self, Vec<FieldError>> {
        let field = |name: &str| format!("declarations.consumerCare.{name}");
        let mut problems = Vec::new();
        let address = address.split_whitespace().collect::<Vec<_>>().join(" ");
        let length = address.chars().count();
        if !(10..=300).contains(&length) || !ends_with_pin(&address) {
            problems.push(FieldError::new(
                &field("address"),
                FieldErrorCode::Invalid,
                "the consumer-care address is a postal address of 10 to 300 characters ending with its 6-digit PIN code",
            ));
        }
        let phone = normalise_phone(phone);
        if phone.is_none() {
            problems.push(FieldError::new(
                &field("phone"),
                FieldErrorCode::Invalid,
                "the consumer-care phone is an Indian number: 10 digits (with the STD code for a landline), +91 optional, or a toll-free 1800 number",
            ));
        }
        let email = normalise_email(email);
        if email.is_none() {
            problems.push(FieldError::new(
                &field("email"),
                FieldErrorCode::Invalid,
                "the consumer-care e-mail must look like care@example.org",
            ));
        }
        if problems.is_empty() {
            Ok(Self {
                address: Some(address),
                phone,
                email,
                legacy_text: None,
            })
        } else {
            Err(problems)
        }
    }

    /// The parts a live listing still lacks (a migrated declaration whose text held no
    /// phone number, say), as field names under `consumerCare`.
    pub(crate) fn missing_parts(&self) -> Vec<&'static str> {
        let blank = |value: &Option<String>| value.as_deref().is_none_or(|v| v.trim().is_empty());
        [
            ("address", &self.address),
            ("phone", &self.phone),
            ("email", &self.email),
        ]
        .into_iter()
        .filter(|(_, value)| blank(value))
        .map(|(name, _)| name)
        .collect()
    }

    /// One line for labels and feeds: the parts joined, else the old text.
    pub fn line(&self) -> String {
        let parts: Vec<&str> = [&self.address, &self.phone, &self.email]
            .into_iter()
            .filter_map(|p| p.as_deref())
            .collect();
        if parts.is_empty() {
            self.legacy_text.clone().unwrap_or_default()
        } else {
            parts.join(" · ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_indian_numbers() {
        assert_eq!(
            normalise_phone("+91 1982 000101").as_deref(),
            Some("+911982000101")
        );
        assert_eq!(
            normalise_phone("098765 43210").as_deref(),
            Some("+919876543210")
        );
        assert_eq!(
            normalise_phone("1800-11-4000").as_deref(),
            Some("1800114000")
        );
        for nonsense in ["x", "1", "12345", "+1 415 555 0100", "0000000000"] {
            assert_eq!(normalise_phone(nonsense), None, "{nonsense}");
        }
    }

    #[test]
    fn old_text_is_read_into_its_parts() {
        let care = ConsumerCare::from_legacy_text(
            "sham-apricot@example.org / +91 1982 000101",
            Some("Main Road, Domkhar, Khaltse, Sham 194106".into()),
        );
        assert_eq!(care.email.as_deref(), Some("sham-apricot@example.org"));
        assert_eq!(care.phone.as_deref(), Some("+911982000101"));
        assert!(care.missing_parts().is_empty());
        let stored: ConsumerCare = serde_json::from_str("\"care@example.org\"").unwrap();
        assert_eq!(stored.missing_parts(), ["address", "phone"]);
        assert_eq!(stored.legacy_text.as_deref(), Some("care@example.org"));
    }

    #[test]
    fn nonsense_is_refused_field_by_field() {
        let problems = ConsumerCare::checked("x", "1", "care").unwrap_err();
        let fields: Vec<String> = problems.iter().map(|p| p.field.join(".")).collect();
        assert_eq!(
            fields,
            [
                "declarations.consumerCare.address",
                "declarations.consumerCare.phone",
                "declarations.consumerCare.email"
            ]
        );
        assert!(ConsumerCare::checked("Main Road, Domkhar 194106", "9876543210", "a@b.in").is_ok());
    }
}
