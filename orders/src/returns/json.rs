//! Numbers in the portal's files written from integers: amounts are rupees with two
//! decimals formatted from paise, rates percentages formatted from basis points. They
//! are emitted as raw JSON number text, so no binary float ever holds a figure.

use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// An amount in paise, written as rupees with two decimals (`123456` → `1234.56`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rupees(pub i64);

impl Serialize for Rupees {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        raw(crate::invoices::rupees(self.0), serializer)
    }
}

/// A rate in basis points, written as a percentage (`500` → `5`, `25` → `0.25`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Percent(pub i64);

impl Percent {
    pub fn text(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let bp = self.0.unsigned_abs();
        let (whole, hundredths) = (bp / 100, bp % 100);
        match hundredths {
            0 => format!("{sign}{whole}"),
            h if h % 10 == 0 => format!("{sign}{whole}.{}", h / 10),
            h => format!("{sign}{whole}.{h:02}"),
        }
    }
}

impl Serialize for Percent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        raw(self.text(), serializer)
    }
}

fn raw<S: Serializer>(text: String, serializer: S) -> Result<S::Ok, S::Error> {
    RawValue::from_string(text)
        .map_err(serde::ser::Error::custom)?
        .serialize(serializer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_from_integers() {
        let text = serde_json::to_string(&(
            Rupees(123_456),
            Rupees(5),
            Rupees(-70),
            Percent(500),
            Percent(25),
            Percent(250),
        ))
        .unwrap();
        assert_eq!(text, "[1234.56,0.05,-0.70,5,0.25,2.5]");
    }
}
