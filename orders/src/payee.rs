//! Where a buyer pays a bank transfer (NEFT, IMPS, RTGS) or a UPI payment to an
//! account: a payout account (the name on the account, its number, the branch's IFSC
//! and, optionally, a UPI id), and the instructions an order carries. Checked at the
//! edge, with one field error per field.

use kernel::{FieldError, FieldErrorCode};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Serialize};

use crate::status::string_enum;

/// A payout account as given, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct PayoutAccountInput {
    pub account_name: String,
    pub account_number: String,
    pub ifsc: String,
    pub upi_vpa: Option<String>,
}

/// A checked payout account: IFSC upper-cased, UPI id lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutAccount {
    pub account_name: String,
    pub account_number: String,
    pub ifsc: String,
    pub upi_vpa: Option<String>,
}

string_enum!(
    /// Who collects a bank transfer: the cooperative (the only one in the order, with
    /// its payout account), or the marketplace (several cooperatives, or one without an
    /// account), which settles with them.
    Collector {
        Cooperative => "COOPERATIVE",
        Marketplace => "MARKETPLACE",
    }
);

/// What the buyer of a bank-transfer order is told, fixed when the order is placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentInstructions {
    pub collected_by: String,
    pub account: PayoutAccount,
    /// To quote with the transfer (the order number), so the payee can match it.
    pub reference: String,
    pub amount_paise: i64,
}

/// What a `upi://pay` value keeps as it is: RFC 3986's unreserved characters, and
/// `@`, which a query may carry unescaped and every UPI app reads in `pa`. Everything
/// else (spaces, `&`, `=`, `+`, `#`, non-ASCII letters) is percent-encoded as UTF-8,
/// as NPCI's UPI Linking Specifications ask of the link's values.
const UPI_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');

impl PaymentInstructions {
    pub fn collector(&self) -> Option<Collector> {
        self.collected_by.parse().ok()
    }

    /// The `upi://pay` link of NPCI's UPI Linking Specifications (1.6) that pays this
    /// order from any UPI app, or from a QR code of it: `pa` the payee's UPI id (the
    /// account the instructions name, so the money goes where the bank details say),
    /// `pn` its name, `am` the exact amount in rupees with two decimals, `cu` INR, and
    /// the order number as both the note the payer sees (`tn`) and the reference the
    /// payee's statement carries (`tr`). None when the account has no UPI id, or
    /// nothing is to be paid.
    pub fn upi_link(&self) -> Option<String> {
        let vpa = self.account.upi_vpa.as_deref().filter(|v| is_vpa(v))?;
        if self.amount_paise <= 0 {
            return None;
        }
        let amount = format!("{}.{:02}", self.amount_paise / 100, self.amount_paise % 100);
        let fields = [
            ("pa", vpa),
            ("pn", self.account.account_name.as_str()),
            ("am", amount.as_str()),
            ("cu", "INR"),
            ("tn", self.reference.as_str()),
            ("tr", self.reference.as_str()),
        ];
        let query: Vec<String> = fields
            .iter()
            .map(|(key, value)| format!("{key}={}", utf8_percent_encode(value, UPI_VALUE)))
            .collect();
        Some(format!("upi://pay?{}", query.join("&")))
    }
}

/// An IFSC: four letters (the bank), a zero (reserved), six letters or digits (the
/// branch), as the RBI assigns them.
pub fn is_ifsc(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 11
        && bytes.iter().take(4).all(u8::is_ascii_uppercase)
        && bytes.get(4) == Some(&b'0')
        && bytes
            .iter()
            .skip(5)
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// A UPI virtual payment address, `name@handle`: the name 2 to 256 letters, digits,
/// dots, hyphens or underscores, the handle (the PSP's) 2 to 64 letters or digits
/// beginning with a letter.
pub fn is_vpa(text: &str) -> bool {
    let Some((name, handle)) = text.split_once('@') else {
        return false;
    };
    (2..=256).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        && (2..=64).contains(&handle.len())
        && handle
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic())
        && handle.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Checks a payout account; the field names are the GraphQL input's.
pub fn parse_payout_account(input: &PayoutAccountInput) -> Result<PayoutAccount, Vec<FieldError>> {
    let mut problems = Vec::new();
    let account_name = input.account_name.trim().to_owned();
    if account_name.is_empty()
        || account_name.chars().count() > 100
        || account_name.chars().any(char::is_control)
    {
        problems.push(FieldError::new(
            "accountName",
            FieldErrorCode::Required,
            "give the name on the account (at most 100 characters)",
        ));
    }
    let account_number: String = input
        .account_number
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if !(9..=18).contains(&account_number.len())
        || !account_number.bytes().all(|b| b.is_ascii_digit())
    {
        problems.push(FieldError::new(
            "accountNumber",
            FieldErrorCode::Invalid,
            "an Indian bank account number has 9 to 18 digits",
        ));
    }
    let ifsc = input.ifsc.trim().to_ascii_uppercase();
    if !is_ifsc(&ifsc) {
        problems.push(FieldError::new(
            "ifsc",
            FieldErrorCode::Invalid,
            "an IFSC is four letters, a zero and six letters or digits, e.g. SBIN0001234",
        ));
    }
    let upi_vpa = input
        .upi_vpa
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_ascii_lowercase);
    if let Some(vpa) = &upi_vpa
        && !is_vpa(vpa)
    {
        problems.push(FieldError::new(
            "upiVpa",
            FieldErrorCode::Invalid,
            "a UPI id is name@handle, e.g. shamapricots@sbi",
        ));
    }
    if problems.is_empty() {
        Ok(PayoutAccount {
            account_name,
            account_number,
            ifsc,
            upi_vpa,
        })
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ifsc_and_vpa_shapes() {
        for good in ["SBIN0001234", "HDFC0ABC123", "JAKA0LEH001"] {
            assert!(is_ifsc(good), "{good}");
        }
        for bad in [
            "SBIN1001234",
            "SBI00001234",
            "SBIN000123",
            "SBIN00012345",
            "sbin0001234",
            "SBIN0-01234",
        ] {
            assert!(!is_ifsc(bad), "{bad}");
        }
        for good in ["shamapricots@sbi", "9876543210@ybl", "a.b-c_d@okicici"] {
            assert!(is_vpa(good), "{good}");
        }
        for bad in [
            "shamapricots",
            "@sbi",
            "a@sbi",
            "sham@",
            "sham@1bank",
            "sham apricots@sbi",
            "a@b@c",
        ] {
            assert!(!is_vpa(bad), "{bad}");
        }
    }

    fn instructions(vpa: Option<&str>, amount_paise: i64) -> PaymentInstructions {
        PaymentInstructions {
            collected_by: "COOPERATIVE".into(),
            account: PayoutAccount {
                account_name: "Sham Apricot Growers & Co-op Society".into(),
                account_number: "912010012345678".into(),
                ifsc: "SBIN0001234".into(),
                upi_vpa: vpa.map(str::to_owned),
            },
            reference: "LM-2026 #7".into(),
            amount_paise,
        }
    }

    #[test]
    fn upi_links_encode_every_value() {
        assert_eq!(
            instructions(Some("sham.apricots@sbi"), 143_005)
                .upi_link()
                .unwrap(),
            "upi://pay?pa=sham.apricots@sbi&pn=Sham%20Apricot%20Growers%20%26%20Co-op%20Society&am=1430.05&cu=INR&tn=LM-2026%20%237&tr=LM-2026%20%237"
        );
        assert_eq!(
            instructions(Some("a1@ybl"), 7).upi_link().unwrap(),
            "upi://pay?pa=a1@ybl&pn=Sham%20Apricot%20Growers%20%26%20Co-op%20Society&am=0.07&cu=INR&tn=LM-2026%20%237&tr=LM-2026%20%237"
        );
        assert_eq!(instructions(None, 143_005).upi_link(), None);
        assert_eq!(instructions(Some("not a vpa"), 100).upi_link(), None);
        assert_eq!(instructions(Some("a1@ybl"), 0).upi_link(), None);
    }

    #[test]
    fn every_bad_field_is_reported_by_its_input_name() {
        let problems = parse_payout_account(&PayoutAccountInput {
            account_name: " ".into(),
            account_number: "12AB".into(),
            ifsc: "SBIN1001234".into(),
            upi_vpa: Some("not-a-vpa".into()),
        })
        .unwrap_err();
        let fields: Vec<String> = problems.iter().map(|p| p.field.join(".")).collect();
        assert_eq!(fields, ["accountName", "accountNumber", "ifsc", "upiVpa"]);
        let account = parse_payout_account(&PayoutAccountInput {
            account_name: " Sham Apricot Growers ".into(),
            account_number: "9120 1001 2345 678".into(),
            ifsc: "sbin0001234".into(),
            upi_vpa: Some(" ShamApricots@SBI ".into()),
        })
        .unwrap();
        assert_eq!(account.ifsc, "SBIN0001234");
        assert_eq!(account.account_number, "912010012345678");
        assert_eq!(account.upi_vpa.as_deref(), Some("shamapricots@sbi"));
    }
}
