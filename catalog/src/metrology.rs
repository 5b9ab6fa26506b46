//! Legal Metrology declarations per variant: the pack's net quantity as a number and
//! a standard unit, and the unit sale price worked out from its MRP.
//!
//! Rule 6(11) of the Legal Metrology (Packaged Commodities) Rules 2011, as substituted
//! by G.S.R. 226(E) (in force 1 Dec 2022): the unit sale price, in rupees to two
//! decimals, is per gram below one kilogram and per kilogram above; per centimetre below
//! one metre and per metre above; per millilitre below one litre and per litre above;
//! per number or unit for goods sold by number. Exactly one kilogram, litre or metre is
//! priced per kilogram, litre or metre (the MRP itself, which the rule then does not
//! require to be repeated; it is shown anyway).

use crate::{FieldErrorCode, status::NetUnit};
use kernel::FieldError;

/// Thousandths in one unit of a declared amount: amounts have at most three decimals.
const MILLI: i64 = 1_000;
/// The largest declared amount, in its unit.
const MAX_AMOUNT: i64 = 1_000_000;

/// A pack's declared net quantity: `milli` thousandths of `unit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetQuantity {
    pub milli: i64,
    pub unit: NetUnit,
}

impl NetQuantity {
    /// The amount as written: "500", "1.5", "0.25".
    pub fn amount_text(&self) -> String {
        let whole = self.milli / MILLI;
        let fraction = self.milli % MILLI;
        if fraction == 0 {
            whole.to_string()
        } else {
            format!("{whole}.{fraction:03}")
                .trim_end_matches('0')
                .to_owned()
        }
    }

    /// "500 g", "1.5 l", "6 piece".
    pub fn text(&self) -> String {
        format!("{} {}", self.amount_text(), self.unit.symbol())
    }

    /// Reads a declaration written before quantities were structured: a number, a unit,
    /// and optionally words in brackets after it ("500 g", "1 piece (300 x 75 cm)",
    /// "50 g (25 x 2 g)"). Anything else is not read.
    pub fn parse_legacy(text: &str) -> Option<Self> {
        let head = text.split('(').next().unwrap_or_default().trim();
        let mut words = head.split_whitespace();
        let (amount, unit, rest) = (words.next()?, words.next()?, words.next());
        if rest.is_some() {
            return None;
        }
        Some(Self {
            milli: parse_amount(amount).ok()?,
            unit: unit.parse().ok()?,
        })
    }
}

/// Parses a declared amount: a positive decimal number with at most three decimals, up
/// to a million, into thousandths.
pub fn parse_amount(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 3 {
        return Err(format!(
            "{text:?} is not a quantity: a number such as 500 or 1.5, with at most three decimals"
        ));
    }
    let whole: i64 = whole
        .parse()
        .map_err(|_| format!("{text} is more than {MAX_AMOUNT}"))?;
    let fraction: i64 = format!("{fraction:0<3}").parse().unwrap_or(0);
    let milli = whole
        .checked_mul(MILLI)
        .and_then(|w| w.checked_add(fraction))
        .ok_or_else(|| format!("{text} is more than {MAX_AMOUNT}"))?;
    if milli <= 0 {
        return Err("the net quantity must be more than zero".to_owned());
    }
    if milli > MAX_AMOUNT * MILLI {
        return Err(format!("the net quantity is at most {MAX_AMOUNT}"));
    }
    Ok(milli)
}

/// The declared quantity of a new or edited variant, as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetQuantityInput {
    pub amount: String,
    pub unit: NetUnit,
}

impl NetQuantityInput {
    /// The quantity, or a field error on `netQuantity.amount`.
    pub fn parse(&self) -> Result<NetQuantity, FieldError> {
        parse_amount(&self.amount)
            .map(|milli| NetQuantity {
                milli,
                unit: self.unit,
            })
            .map_err(|message| {
                FieldError::new("netQuantity.amount", FieldErrorCode::Invalid, message)
            })
    }
}

/// The unit sale price: `paise` per `per` (a symbol: g, kg, ml, l, cm, m, piece).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitSalePrice {
    pub paise: i64,
    pub per: NetUnit,
}

/// The unit sale price of a pack of `quantity` at `mrp_paise`, by Rule 6(11), rounded
/// half up to the paisa.
pub fn unit_sale_price(mrp_paise: i64, quantity: NetQuantity) -> UnitSalePrice {
    // The quantity in the rule's small unit (thousandths of g, ml, cm, or pieces), and
    // how many small units make the large one.
    let (small_milli, small, large, per_large) = match quantity.unit {
        NetUnit::Gram => (quantity.milli, NetUnit::Gram, NetUnit::Kilogram, 1_000),
        NetUnit::Kilogram => (
            quantity.milli.saturating_mul(1_000),
            NetUnit::Gram,
            NetUnit::Kilogram,
            1_000,
        ),
        NetUnit::Millilitre => (quantity.milli, NetUnit::Millilitre, NetUnit::Litre, 1_000),
        NetUnit::Litre => (
            quantity.milli.saturating_mul(1_000),
            NetUnit::Millilitre,
            NetUnit::Litre,
            1_000,
        ),
        NetUnit::Centimetre => (quantity.milli, NetUnit::Centimetre, NetUnit::Metre, 100),
        NetUnit::Metre => (
            quantity.milli.saturating_mul(100),
            NetUnit::Centimetre,
            NetUnit::Metre,
            100,
        ),
        NetUnit::Piece => (quantity.milli, NetUnit::Piece, NetUnit::Piece, 1),
    };
    let below_one_large = small_milli < per_large * MILLI;
    let (per, units_per_price) = if below_one_large || small == large {
        (small, 1)
    } else {
        (large, per_large)
    };
    // price per `per` = MRP × units_per_price / (small_milli / 1000).
    let numerator = i128::from(mrp_paise) * i128::from(units_per_price) * i128::from(MILLI);
    let denominator = i128::from(small_milli.max(1));
    let rounded = (2 * numerator + denominator) / (2 * denominator);
    UnitSalePrice {
        paise: i64::try_from(rounded).unwrap_or(i64::MAX),
        per,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nq(text: &str) -> NetQuantity {
        NetQuantity::parse_legacy(text).unwrap()
    }

    #[test]
    fn amounts_are_numbers_and_nonsense_is_refused() {
        assert_eq!(parse_amount("500"), Ok(500_000));
        assert_eq!(parse_amount("1.5"), Ok(1_500));
        assert_eq!(parse_amount("0.25"), Ok(250));
        for bad in ["x", "", "0", "-1", "1,5", "1.2345", "1e3", "2000000"] {
            assert!(parse_amount(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn old_free_text_declarations_are_read_where_they_are_clear() {
        assert_eq!(nq("500 g").text(), "500 g");
        assert_eq!(nq("1 piece (300 x 75 cm)").unit, NetUnit::Piece);
        assert_eq!(nq("50 g (25 x 2 g)").milli, 50_000);
        assert_eq!(nq("1.5 Litres").text(), "1.5 l");
        for unclear in ["x", "1", "about 500 g", "500 grams of apricots"] {
            assert_eq!(NetQuantity::parse_legacy(unclear), None, "{unclear}");
        }
    }

    #[test]
    fn unit_sale_price_follows_rule_6_11() {
        // 500 g at Rs 360: below a kilogram, per gram: Rs 0.72.
        assert_eq!(
            unit_sale_price(36_000, nq("500 g")),
            UnitSalePrice {
                paise: 72,
                per: NetUnit::Gram
            }
        );
        // 5 kg at Rs 4,500: per kilogram, Rs 900.
        assert_eq!(
            unit_sale_price(450_000, nq("5 kg")),
            UnitSalePrice {
                paise: 90_000,
                per: NetUnit::Kilogram
            }
        );
        // 1 kg is priced per kilogram: the MRP.
        assert_eq!(unit_sale_price(99_900, nq("1 kg")).per, NetUnit::Kilogram);
        // 750 ml at Rs 290: per millilitre, Rs 0.3866… → Rs 0.39.
        assert_eq!(unit_sale_price(29_000, nq("750 ml")).paise, 39);
        // 10 l at Rs 5,200: Rs 520 a litre.
        assert_eq!(
            unit_sale_price(520_000, nq("10 l")),
            UnitSalePrice {
                paise: 52_000,
                per: NetUnit::Litre
            }
        );
        // 6 pieces at Rs 15,000: Rs 2,500 a piece.
        assert_eq!(
            unit_sale_price(1_500_000, nq("6 piece")),
            UnitSalePrice {
                paise: 250_000,
                per: NetUnit::Piece
            }
        );
        // 2.5 m at Rs 5,000: Rs 2,000 a metre; 75 cm at Rs 1,500: Rs 20 a centimetre.
        assert_eq!(unit_sale_price(500_000, nq("2.5 m")).paise, 200_000);
        assert_eq!(unit_sale_price(150_000, nq("75 cm")).paise, 2_000);
    }
}
