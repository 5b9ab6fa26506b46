//! Shipping charges from a table of destination zones and weight slabs
//! (`data/reference/shipping_rates.json`, replaced by `DATA_DIR/shipping_rates.json`).
//! Each cooperative ships its own parcel to each destination, so a charge is worked
//! out per cooperative and destination State.

use std::path::Path;

use serde::Deserialize;

const BUILT_IN: &str = include_str!("../../data/reference/shipping_rates.json");

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShippingZone {
    pub zone: String,
    /// Empty for the zone that takes every State not listed elsewhere.
    pub state_codes: Vec<String>,
    pub first_slab_grams: i64,
    pub first_slab_paise: i64,
    pub additional_slab_grams: i64,
    pub additional_slab_paise: i64,
}

#[derive(Debug, Deserialize)]
struct RateFile {
    zones: Vec<ShippingZone>,
}

#[derive(Debug, thiserror::Error)]
pub enum ShippingTableError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("shipping table is invalid: {0}")]
    Invalid(String),
}

/// The shipping-rate table.
#[derive(Debug, Clone)]
pub struct ShippingRates {
    zones: Vec<ShippingZone>,
}

impl ShippingRates {
    pub fn from_json(text: &str) -> Result<Self, ShippingTableError> {
        let file: RateFile =
            serde_json::from_str(text).map_err(|e| ShippingTableError::Invalid(e.to_string()))?;
        let defaults = file
            .zones
            .iter()
            .filter(|z| z.state_codes.is_empty())
            .count();
        if defaults != 1 {
            return Err(ShippingTableError::Invalid(
                "exactly one zone must have an empty stateCodes list".into(),
            ));
        }
        for zone in &file.zones {
            if zone.first_slab_grams <= 0
                || zone.additional_slab_grams <= 0
                || zone.first_slab_paise < 0
                || zone.additional_slab_paise < 0
            {
                return Err(ShippingTableError::Invalid(format!(
                    "zone {} needs positive slabs and non-negative charges",
                    zone.zone
                )));
            }
        }
        Ok(Self { zones: file.zones })
    }

    pub fn built_in() -> Result<Self, ShippingTableError> {
        Self::from_json(BUILT_IN)
    }

    /// `DATA_DIR/shipping_rates.json` when present, else the built-in table.
    pub fn load(data_dir: &Path) -> Result<Self, ShippingTableError> {
        let path = data_dir.join("shipping_rates.json");
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::from_json(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::built_in(),
            Err(source) => Err(ShippingTableError::Read {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    pub fn zone_for(&self, state_code: &str) -> Option<&ShippingZone> {
        self.zones
            .iter()
            .find(|z| z.state_codes.iter().any(|c| c == state_code))
            .or_else(|| self.zones.iter().find(|z| z.state_codes.is_empty()))
    }

    /// The charge, tax included, for a parcel of `grams` to `state_code`.
    pub fn charge_paise(&self, state_code: &str, grams: i64) -> i64 {
        let Some(zone) = self.zone_for(state_code) else {
            return 0;
        };
        let extra = (grams - zone.first_slab_grams).max(0);
        let extra_slabs = (extra + zone.additional_slab_grams - 1) / zone.additional_slab_grams;
        zone.first_slab_paise + extra_slabs * zone.additional_slab_paise
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slabs_are_started_not_prorated() -> Result<(), ShippingTableError> {
        let rates = ShippingRates::built_in()?;
        assert_eq!(rates.charge_paise("38", 200), 4000);
        assert_eq!(rates.charge_paise("38", 500), 4000);
        assert_eq!(rates.charge_paise("38", 501), 6000);
        assert_eq!(rates.charge_paise("07", 1200), 8000 + 2 * 4000);
        assert_eq!(rates.charge_paise("33", 100), 10000);
        assert_eq!(rates.charge_paise("18", 100), 15000);
        Ok(())
    }

    #[test]
    fn a_table_without_one_default_zone_is_refused() {
        assert!(ShippingRates::from_json(r#"{"zones": []}"#).is_err());
    }
}
