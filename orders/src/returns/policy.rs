//! Thresholds the returns depend on, as policy data an operator replaces
//! (`DATA_DIR/gst_return_policy.json`, else `data/reference/gst_return_policy.json`)
//! when the law changes, never as constants in code.

use std::path::Path;

use serde::Deserialize;

const BUILT_IN: &str = include_str!("../../../data/reference/gst_return_policy.json");

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnPolicy {
    /// An inter-State supply to an unregistered buyer whose invoice value is above this
    /// is reported invoice by invoice in B2CL (table 5), else summed in B2CS (table 7).
    /// Rs 1,00,000 since 1 Aug 2024 (Notif. 12/2024-CT, Rule 59(4)(a)); Rs 2,50,000
    /// before.
    pub b2cl_threshold_paise: i64,
    /// A consignment whose value (tax included, exempt goods excluded) is above this
    /// travels with an e-way bill (CGST Rule 138(1)): Rs 50,000 by default.
    pub eway_bill_threshold_paise: i64,
}

impl Default for ReturnPolicy {
    fn default() -> Self {
        Self {
            b2cl_threshold_paise: 10_000_000,
            eway_bill_threshold_paise: 5_000_000,
        }
    }
}

impl ReturnPolicy {
    pub fn from_json(text: &str) -> Result<Self, String> {
        let policy: Self = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if policy.b2cl_threshold_paise < 0 || policy.eway_bill_threshold_paise < 0 {
            return Err("thresholds must not be negative".into());
        }
        Ok(policy)
    }

    pub fn built_in() -> Result<Self, String> {
        Self::from_json(BUILT_IN)
    }

    /// The operator's file in `data_dir`, else the built-in one.
    pub fn load(data_dir: &Path) -> Result<Self, String> {
        let path = data_dir.join("gst_return_policy.json");
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::from_json(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::built_in(),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_policy_is_the_documented_default() {
        assert_eq!(ReturnPolicy::built_in().unwrap(), ReturnPolicy::default());
    }
}
