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
}
