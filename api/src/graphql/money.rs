//! Money on the wire: integer paise (a 64-bit `Paise` scalar, since GraphQL's `Int` is
//! 32-bit) with the currency code, never a float.

use async_graphql::{Enum, InputValueError, InputValueResult, Object, Scalar, ScalarType, Value};

/// An amount in paise (1/100 of a rupee), as a 64-bit integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paise(pub i64);

#[Scalar(name = "Paise")]
impl ScalarType for Paise {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::Number(number) => number
                .as_i64()
                .map(Paise)
                .ok_or_else(|| InputValueError::custom("Paise must be a whole number")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::Number(self.0.into())
    }
}

/// ISO 4217 currency codes the marketplace prices in.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CurrencyCode {
    Inr,
}

/// An amount of money.
pub struct Money(pub kernel::Money);

#[Object]
impl Money {
    /// The amount in the currency's minor unit (paise).
    async fn amount(&self) -> Paise {
        Paise(self.0.minor)
    }

    async fn currency(&self) -> CurrencyCode {
        match self.0.currency {
            kernel::Currency::Inr => CurrencyCode::Inr,
        }
    }

    /// For display, e.g. `INR 590.00`.
    async fn formatted(&self) -> String {
        self.0.to_string()
    }
}
