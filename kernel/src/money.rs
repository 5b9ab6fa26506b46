use std::fmt;

use sea_orm::{ActiveEnum, DeriveActiveEnum, EnumIter, sea_query::StringLen};

/// The currencies the marketplace prices in. Only rupees today; kept as a type so that
/// an amount is never separated from its currency. Stored as its ISO 4217 code; a
/// stored code outside this set fails to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(3))")]
pub enum Currency {
    #[sea_orm(string_value = "INR")]
    Inr,
}

impl Currency {
    pub const fn code(self) -> &'static str {
        match self {
            Self::Inr => "INR",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::try_from_value(&code.to_owned()).ok()
    }
}

/// An amount in the currency's minor unit (paise for INR), the unit Stripe also uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub const fn inr(paise: i64) -> Self {
        Self {
            minor: paise,
            currency: Currency::Inr,
        }
    }
}

impl Money {
    /// The amount as people in India write it in messages: `Rs 1,430.00`, with the
    /// Indian digit grouping (`Rs 1,43,000.00`, `Rs 12,34,567.89`). Other currencies
    /// print as [`Display`](fmt::Display) does.
    pub fn for_people(self) -> String {
        match self.currency {
            Currency::Inr => {
                let sign = if self.minor < 0 { "-" } else { "" };
                let abs = self.minor.unsigned_abs();
                let digits = (abs / 100).to_string();
                // The last three digits, then pairs: 12,34,567.
                let split = digits.len().saturating_sub(3);
                let (head, tail) = digits.split_at(split);
                let mut grouped = String::new();
                let lead = head.len() % 2;
                for (i, c) in head.chars().enumerate() {
                    if i > 0 && (i + 2 - lead) % 2 == 0 {
                        grouped.push(',');
                    }
                    grouped.push(c);
                }
                if !head.is_empty() {
                    grouped.push(',');
                }
                grouped.push_str(tail);
                format!("{sign}Rs {grouped}.{:02}", abs % 100)
            }
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        write!(
            f,
            "{sign}{} {}.{:02}",
            self.currency.code(),
            abs / 100,
            abs % 100
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_rupees_and_paise() {
        assert_eq!(Money::inr(59_000).to_string(), "INR 590.00");
        assert_eq!(Money::inr(-5).to_string(), "-INR 0.05");
    }

    #[test]
    fn people_read_rupees_in_the_indian_grouping() {
        for (paise, text) in [
            (0, "Rs 0.00"),
            (5, "Rs 0.05"),
            (99_900, "Rs 999.00"),
            (143_000, "Rs 1,430.00"),
            (1_234_567, "Rs 12,345.67"),
            (14_300_000, "Rs 1,43,000.00"),
            (123_456_789, "Rs 12,34,567.89"),
            (12_345_678_900, "Rs 12,34,56,789.00"),
            (-143_000, "-Rs 1,430.00"),
        ] {
            assert_eq!(Money::inr(paise).for_people(), text, "{paise}");
        }
    }
}
