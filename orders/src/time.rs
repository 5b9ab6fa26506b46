//! Dates as Indian law reads them. Times are stored in UTC; invoice dates, financial
//! years and rate changes follow the calendar in India (UTC+05:30).

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

const IST_SECONDS: i32 = 5 * 3600 + 30 * 60;

pub fn india_date(at: DateTime<Utc>) -> NaiveDate {
    FixedOffset::east_opt(IST_SECONDS).map_or_else(
        || at.date_naive(),
        |ist| at.with_timezone(&ist).date_naive(),
    )
}

pub fn india_today() -> NaiveDate {
    india_date(Utc::now())
}

/// The financial year (April to March) of a date, as four digits: 2026-11-25 is in
/// 2026-27, written "2627".
pub fn financial_year(date: NaiveDate) -> String {
    use chrono::Datelike;
    let start = if date.month() >= 4 {
        date.year()
    } else {
        date.year() - 1
    };
    format!(
        "{:02}{:02}",
        start.rem_euclid(100),
        (start + 1).rem_euclid(100)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn financial_years_turn_in_april() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        assert_eq!(financial_year(d(2026, 11, 25)), "2627");
        assert_eq!(financial_year(d(2027, 3, 31)), "2627");
        assert_eq!(financial_year(d(2027, 4, 1)), "2728");
        assert_eq!(financial_year(d(2099, 4, 1)), "9900");
    }

    #[test]
    fn an_evening_in_utc_is_the_next_day_in_india() {
        let at = DateTime::parse_from_rfc3339("2027-03-31T19:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(financial_year(india_date(at)), "2728");
    }
}
