//! Amounts as buyers read them: `₹1,23,456.50` (Indian digit grouping), from paise.

/// Formats paise as rupees with Indian grouping and two decimals.
pub(crate) fn rupees(paise: i64) -> String {
    let negative = paise < 0;
    let magnitude = paise.unsigned_abs();
    let whole = (magnitude / 100).to_string();
    let fraction = magnitude % 100;
    // The last three digits, then groups of two.
    let grouped = match whole.len().checked_sub(3) {
        None | Some(0) => whole,
        Some(split) => {
            let (head, tail) = whole.split_at(split);
            let mut groups: Vec<&str> = Vec::new();
            let mut rest = head;
            while rest.len() > 2 {
                let (left, right) = rest.split_at(rest.len() - 2);
                groups.push(right);
                rest = left;
            }
            groups.push(rest);
            groups.reverse();
            format!("{},{tail}", groups.join(","))
        }
    };
    format!(
        "{}₹{grouped}.{fraction:02}",
        if negative { "-" } else { "" }
    )
}

/// Whole percent off the MRP, when there is a discount.
pub(crate) fn discount_percent(price: i64, mrp: i64) -> Option<i64> {
    if mrp <= 0 || price >= mrp {
        return None;
    }
    let off = mrp.checked_sub(price)?.checked_mul(100)?.checked_div(mrp)?;
    (off > 0).then_some(off)
}

/// Rupees as a plain decimal for machines (schema.org offers).
pub(crate) fn decimal(paise: i64) -> String {
    let sign = if paise < 0 { "-" } else { "" };
    let magnitude = paise.unsigned_abs();
    format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indian_grouping() {
        assert_eq!(rupees(0), "₹0.00");
        assert_eq!(rupees(5), "₹0.05");
        assert_eq!(rupees(45_000), "₹450.00");
        assert_eq!(rupees(123_456), "₹1,234.56");
        assert_eq!(rupees(1_234_567_890), "₹1,23,45,678.90");
        assert_eq!(rupees(-100_000), "-₹1,000.00");
    }

    #[test]
    fn discounts() {
        assert_eq!(discount_percent(45_000, 50_000), Some(10));
        assert_eq!(discount_percent(50_000, 50_000), None);
        assert_eq!(discount_percent(1, 0), None);
        assert_eq!(decimal(45_050), "450.50");
    }
}
