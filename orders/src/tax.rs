//! GST on tax-inclusive prices.
//!
//! Rates are data with effective dates (`data/reference/gst_rates.json`), looked up by
//! the longest matching HSN prefix in force on the invoice date; a rate may depend on the
//! per-piece sale value (woven shawls: 5% up to Rs 2,500 a piece, 18% above, from
//! 22 Sep 2025). The place of supply decides the split: within one State CGST + SGST,
//! within a Union Territory without a legislature (Ladakh among them) CGST + UTGST, and
//! between States IGST.
//!
//! Rounding rule, one for every line: prices include tax, so what the buyer pays for a
//! line is fixed and is split into taxable value and tax, with taxable value + tax equal
//! to it exactly.
//! - Between States: taxable value = amount × 10000 / (10000 + rate in basis points),
//!   rounded half up to the paisa; IGST is the rest.
//! - Within a State or UT: CGST and SGST/UTGST are two equal amounts (GSTR-1 and
//!   e-invoice validation expect equal halves): each is amount × rate / (2 × (10000 +
//!   rate)), rounded half up to the paisa, and the taxable value is the rest of the amount.
//!   The paisa the halves cannot split is thereby in the taxable value (it differs from
//!   the inter-State figure by at most one paisa), never a tax head out of balance.
//!
//! Document and order totals are sums of line figures, so they reconcile with the lines
//! to the paisa by construction and carry no separate round-off.

use chrono::NaiveDate;
use serde::Deserialize;

/// Tax computation problems.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaxError {
    #[error("no GST rate for HSN {hsn} on {date}")]
    NoRate { hsn: String, date: NaiveDate },
    #[error("{0} is not a GST state code")]
    UnknownState(String),
    #[error("the GST rate table is invalid: {0}")]
    InvalidTable(String),
    #[error("amount out of range")]
    Overflow,
}

const BUILT_IN_RATES: &str = include_str!("../../data/reference/gst_rates.json");

/// A higher rate above a per-piece sale value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct PerPieceRule {
    /// The sale value per piece, excluding tax, above which `rate_bp` applies.
    pub threshold_paise: i64,
    pub rate_bp: i64,
}

/// One rate of the table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct GstRate {
    pub hsn_prefix: String,
    pub effective_from: NaiveDate,
    #[serde(default)]
    pub effective_until: Option<NaiveDate>,
    /// 500 is 5%.
    pub rate_bp: i64,
    #[serde(default)]
    pub above_per_piece: Option<PerPieceRule>,
    /// False where the research could not confirm the rate.
    #[serde(default)]
    pub confirmed: bool,
}

#[derive(Debug, Deserialize)]
struct RateFile {
    rates: Vec<GstRate>,
}

/// The rate table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateSchedule {
    rates: Vec<GstRate>,
}

impl RateSchedule {
    pub fn new(rates: Vec<GstRate>) -> Result<Self, TaxError> {
        for rate in &rates {
            if rate.hsn_prefix.is_empty() || !rate.hsn_prefix.bytes().all(|b| b.is_ascii_digit()) {
                return Err(TaxError::InvalidTable(format!(
                    "HSN prefix {:?}",
                    rate.hsn_prefix
                )));
            }
            if !(0..=4_000).contains(&rate.rate_bp)
                || rate
                    .above_per_piece
                    .is_some_and(|r| !(0..=4_000).contains(&r.rate_bp))
            {
                return Err(TaxError::InvalidTable(format!(
                    "rate for {}",
                    rate.hsn_prefix
                )));
            }
            if rate
                .effective_until
                .is_some_and(|until| until < rate.effective_from)
            {
                return Err(TaxError::InvalidTable(format!(
                    "dates for {}",
                    rate.hsn_prefix
                )));
            }
        }
        Ok(Self { rates })
    }

    /// The table in `data/reference/gst_rates.json`.
    pub fn built_in() -> Result<Self, TaxError> {
        let file: RateFile = serde_json::from_str(BUILT_IN_RATES)
            .map_err(|e| TaxError::InvalidTable(e.to_string()))?;
        Self::new(file.rates)
    }

    /// `DATA_DIR/gst_rates.json` when present (an operator's table, e.g. after a rate
    /// notification), else the built-in table.
    pub fn load(data_dir: &std::path::Path) -> Result<Self, TaxError> {
        let path = data_dir.join("gst_rates.json");
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let file: RateFile = serde_json::from_str(&text)
                    .map_err(|e| TaxError::InvalidTable(format!("{}: {e}", path.display())))?;
                Self::new(file.rates)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::built_in(),
            Err(e) => Err(TaxError::InvalidTable(format!("{}: {e}", path.display()))),
        }
    }

    /// The rate in basis points for goods of `hsn` sold on `date` at `unit_price_paise`
    /// a piece, tax included. A per-piece threshold is on the value before tax: the
    /// lower rate applies while the piece's taxable value at that rate stays within the
    /// threshold.
    pub fn rate_for(
        &self,
        hsn: &str,
        date: NaiveDate,
        unit_price_paise: i64,
    ) -> Result<i64, TaxError> {
        let rate = self
            .rates
            .iter()
            .filter(|r| hsn.starts_with(&r.hsn_prefix))
            .filter(|r| {
                r.effective_from <= date && r.effective_until.is_none_or(|until| date <= until)
            })
            .max_by_key(|r| r.hsn_prefix.len())
            .ok_or_else(|| TaxError::NoRate {
                hsn: hsn.to_owned(),
                date,
            })?;
        match rate.above_per_piece {
            Some(rule) if taxable_value(unit_price_paise, rate.rate_bp)? > rule.threshold_paise => {
                Ok(rule.rate_bp)
            }
            _ => Ok(rate.rate_bp),
        }
    }
}

/// The tax-inclusive price of one piece of a unit of `pieces_per_unit` pieces sold at
/// `unit_price_paise`: the unit's price divided by its pieces, rounded up to the paisa
/// so that rounding can never carry a pack under a per-piece threshold. A count below
/// one is taken as one.
pub fn price_per_piece(unit_price_paise: i64, pieces_per_unit: i32) -> i64 {
    let pieces = i64::from(pieces_per_unit.max(1));
    unit_price_paise.div_euclid(pieces) + i64::from(unit_price_paise.rem_euclid(pieces) != 0)
}

/// The rate the checkout charges on a unit of `pieces_per_unit` pieces sold at
/// `unit_price_paise` (tax included) on `date`: none for a supplier outside the regular
/// regime (a bill of supply), the table's rate for the HSN (its per-piece rule judged on
/// the price per piece, so a pack of six stoles is taxed as six stoles), or the
/// category's default rate for an HSN the table does not know. Channels and feeds
/// publish the same figure.
pub fn charged_rate(
    rates: &RateSchedule,
    supplier_regime: catalog::GstRegime,
    hsn: &str,
    date: NaiveDate,
    unit_price_paise: i64,
    pieces_per_unit: i32,
    category_rate_bp: i64,
) -> Result<i64, TaxError> {
    if !supplier_regime.collects_gst() {
        return Ok(0);
    }
    let piece = price_per_piece(unit_price_paise, pieces_per_unit);
    match rates.rate_for(hsn, date, piece) {
        Err(TaxError::NoRate { .. }) => Ok(category_rate_bp),
        other => other,
    }
}

/// How a supply is taxed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupplyKind {
    /// Within one State: CGST + SGST.
    IntraState,
    /// Within one Union Territory without a legislature: CGST + UTGST.
    IntraUnionTerritory,
    /// Between States or UTs: IGST.
    InterState,
}

/// GST state codes of the Union Territories that levy UTGST (no legislature): Chandigarh,
/// Dadra and Nagar Haveli and Daman and Diu, Lakshadweep, Andaman and Nicobar, Ladakh.
/// Delhi, Puducherry and Jammu and Kashmir levy SGST.
pub const UTGST_STATE_CODES: [&str; 5] = ["04", "26", "31", "35", "38"];

fn check_state(code: &str) -> Result<(), TaxError> {
    let known = code.len() == 2
        && code
            .parse::<u8>()
            .is_ok_and(|n| (1..=38).contains(&n) || n == 97);
    if known {
        Ok(())
    } else {
        Err(TaxError::UnknownState(code.to_owned()))
    }
}

/// The supply kind from the supplier's State code and the place of supply's.
pub fn supply_kind(
    supplier_state: &str,
    place_of_supply_state: &str,
) -> Result<SupplyKind, TaxError> {
    check_state(supplier_state)?;
    check_state(place_of_supply_state)?;
    Ok(if supplier_state != place_of_supply_state {
        SupplyKind::InterState
    } else if UTGST_STATE_CODES.contains(&supplier_state) {
        SupplyKind::IntraUnionTerritory
    } else {
        SupplyKind::IntraState
    })
}

/// The taxable value inside a tax-inclusive amount, rounded half up to the paisa.
pub fn taxable_value(inclusive_paise: i64, rate_bp: i64) -> Result<i64, TaxError> {
    let numerator = i128::from(inclusive_paise) * 10_000;
    let denominator = i128::from(10_000 + rate_bp);
    let rounded = (2 * numerator + denominator) / (2 * denominator);
    i64::try_from(rounded).map_err(|_| TaxError::Overflow)
}

/// The tax of one invoice line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineTax {
    pub rate_bp: i64,
    /// What the buyer pays for the line, tax included.
    pub total_paise: i64,
    pub taxable_paise: i64,
    pub cgst_paise: i64,
    pub sgst_paise: i64,
    pub utgst_paise: i64,
    pub igst_paise: i64,
}

impl LineTax {
    pub fn tax_paise(&self) -> i64 {
        self.cgst_paise + self.sgst_paise + self.utgst_paise + self.igst_paise
    }
}

/// Splits a tax-inclusive line amount into taxable value and taxes.
pub fn line_tax(total_paise: i64, rate_bp: i64, kind: SupplyKind) -> Result<LineTax, TaxError> {
    let mut line = LineTax {
        rate_bp,
        total_paise,
        ..LineTax::default()
    };
    if kind == SupplyKind::InterState {
        line.taxable_paise = taxable_value(total_paise, rate_bp)?;
        line.igst_paise = total_paise
            .checked_sub(line.taxable_paise)
            .ok_or(TaxError::Overflow)?;
        return Ok(line);
    }
    let half = half_tax(total_paise, rate_bp)?;
    let tax = half.checked_mul(2).ok_or(TaxError::Overflow)?;
    line.taxable_paise = total_paise.checked_sub(tax).ok_or(TaxError::Overflow)?;
    line.cgst_paise = half;
    if kind == SupplyKind::IntraUnionTerritory {
        line.utgst_paise = half;
    } else {
        line.sgst_paise = half;
    }
    Ok(line)
}

/// Each of the two equal halves of the tax inside a tax-inclusive amount, rounded half
/// up to the paisa.
fn half_tax(inclusive_paise: i64, rate_bp: i64) -> Result<i64, TaxError> {
    let numerator = i128::from(inclusive_paise) * i128::from(rate_bp);
    let denominator = 2 * i128::from(10_000 + rate_bp);
    let rounded = (2 * numerator + denominator) / (2 * denominator);
    i64::try_from(rounded).map_err(|_| TaxError::Overflow)
}

/// The sums of an invoice's lines.
pub fn totals(lines: &[LineTax]) -> LineTax {
    lines.iter().fold(LineTax::default(), |sum, line| LineTax {
        rate_bp: 0,
        total_paise: sum.total_paise + line.total_paise,
        taxable_paise: sum.taxable_paise + line.taxable_paise,
        cgst_paise: sum.cgst_paise + line.cgst_paise,
        sgst_paise: sum.sgst_paise + line.sgst_paise,
        utgst_paise: sum.utgst_paise + line.utgst_paise,
        igst_paise: sum.igst_paise + line.igst_paise,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn leh_to_leh_is_cgst_and_utgst_leh_to_delhi_is_igst() -> Result<(), TaxError> {
        assert_eq!(supply_kind("38", "38")?, SupplyKind::IntraUnionTerritory);
        assert_eq!(supply_kind("38", "07")?, SupplyKind::InterState);
        assert_eq!(
            supply_kind("07", "07")?,
            SupplyKind::IntraState,
            "Delhi levies SGST"
        );
        assert_eq!(
            supply_kind("01", "01")?,
            SupplyKind::IntraState,
            "J&K levies SGST"
        );
        assert!(supply_kind("38", "55").is_err());
        Ok(())
    }

    #[test]
    fn rates_follow_their_effective_dates() -> Result<(), TaxError> {
        let schedule = RateSchedule::built_in()?;
        assert_eq!(
            schedule.rate_for("08131000", date("2025-09-21"), 59_000)?,
            1_200
        );
        assert_eq!(
            schedule.rate_for("08131000", date("2025-09-22"), 59_000)?,
            500
        );
        assert_eq!(
            schedule.rate_for("5701", date("2026-01-01"), 5_000_000)?,
            500,
            "handmade carpets by chapter prefix"
        );
        assert!(schedule.rate_for("9999", date("2026-01-01"), 100).is_err());
        Ok(())
    }

    #[test]
    fn shawl_rate_depends_on_the_per_piece_value() -> Result<(), TaxError> {
        let schedule = RateSchedule::built_in()?;
        let day = date("2025-11-25");
        // Rs 2,625 including 5% is Rs 2,500 of value: still 5%.
        assert_eq!(schedule.rate_for("621420", day, 262_500)?, 500);
        // A paisa more crosses the threshold: 18%.
        assert_eq!(schedule.rate_for("621420", day, 262_502)?, 1_800);
        // Before 22 Sep 2025 the threshold was Rs 1,000 and the higher rate 12%.
        assert_eq!(
            schedule.rate_for("621420", date("2025-09-01"), 262_500)?,
            1_200
        );
        Ok(())
    }

    #[test]
    fn a_pack_is_taxed_by_its_price_per_piece() -> Result<(), TaxError> {
        let schedule = RateSchedule::built_in()?;
        let day = date("2025-11-25");
        // A pack of six stoles at Rs 13,500 is Rs 2,250 a piece, Rs 2,142.86 of value
        // at 5%: under the Rs 2,500 threshold. As one piece it would be 18%.
        let rate = |pieces| {
            charged_rate(
                &schedule,
                catalog::GstRegime::Regular,
                "621420",
                day,
                1_350_000,
                pieces,
                500,
            )
        };
        assert_eq!(rate(6)?, 500);
        assert_eq!(rate(1)?, 1_800);
        // Rounding up: 7 paise over 2 pieces is 4 a piece.
        assert_eq!(price_per_piece(7, 2), 4);
        assert_eq!(price_per_piece(1_350_000, 6), 225_000);
        assert_eq!(price_per_piece(100, 0), 100);
        Ok(())
    }

    #[test]
    fn every_line_reconciles_to_the_paisa() -> Result<(), TaxError> {
        for total in [1, 2, 99, 59_000, 262_500, 1_234_567, 99_999_999] {
            for rate in [0, 500, 1_200, 1_800] {
                for kind in [
                    SupplyKind::IntraState,
                    SupplyKind::IntraUnionTerritory,
                    SupplyKind::InterState,
                ] {
                    let line = line_tax(total, rate, kind)?;
                    assert_eq!(line.taxable_paise + line.tax_paise(), total);
                    if kind != SupplyKind::InterState {
                        assert_eq!(line.cgst_paise, line.sgst_paise + line.utgst_paise);
                    }
                }
            }
        }
        Ok(())
    }

    #[test]
    fn intra_state_halves_are_equal_and_the_odd_paisa_stays_in_the_value() -> Result<(), TaxError> {
        // Rs 80 at 5% between States: 80 / 1.05 = 76.190…, so Rs 76.19 + Rs 3.81 IGST.
        let inter = line_tax(8_000, 500, SupplyKind::InterState)?;
        assert_eq!((inter.taxable_paise, inter.igst_paise), (7_619, 381));
        // Within Ladakh: each half is 80 × 0.05 / 2.10 = 1.9047…, Rs 1.90; the taxable
        // value is 80 − 3.80 = Rs 76.20.
        let intra = line_tax(8_000, 500, SupplyKind::IntraUnionTerritory)?;
        assert_eq!(
            (intra.taxable_paise, intra.cgst_paise, intra.utgst_paise),
            (7_620, 190, 190)
        );
        // Rs 1 at 18% within a State: each half 1 × 0.18 / 2.36 = 0.0763 → 8 paise.
        let small = line_tax(100, 1_800, SupplyKind::IntraState)?;
        assert_eq!(
            (small.taxable_paise, small.cgst_paise, small.sgst_paise),
            (84, 8, 8)
        );
        Ok(())
    }

    #[test]
    fn a_worked_example() -> Result<(), TaxError> {
        // Rs 590 of dried apricots at 5% within Ladakh: Rs 561.90 + Rs 14.05 CGST + Rs 14.05 UTGST.
        let line = line_tax(59_000, 500, SupplyKind::IntraUnionTerritory)?;
        assert_eq!(
            (line.taxable_paise, line.cgst_paise, line.utgst_paise),
            (56_190, 1_405, 1_405)
        );
        let other = line_tax(262_500, 500, SupplyKind::InterState)?;
        let sum = totals(&[line, other]);
        assert_eq!(sum.total_paise, 59_000 + 262_500);
        assert_eq!(sum.taxable_paise + sum.tax_paise(), sum.total_paise);
        assert_eq!(sum.igst_paise, 12_500);
        Ok(())
    }
}
