//! A monthly return period, written `MMYYYY` as the GST portal does (`112026` is
//! November 2026).

use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReturnPeriod {
    first_day: NaiveDate,
}

impl ReturnPeriod {
    pub fn new(year: i32, month: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(year, month, 1).map(|first_day| Self { first_day })
    }

    /// The period a date falls in.
    pub fn of(date: NaiveDate) -> Self {
        Self {
            first_day: date.with_day(1).unwrap_or(date),
        }
    }

    pub const fn first_day(self) -> NaiveDate {
        self.first_day
    }

    pub fn last_day(self) -> NaiveDate {
        self.first_day
            .checked_add_months(chrono::Months::new(1))
            .and_then(|next| next.pred_opt())
            .unwrap_or(self.first_day)
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        date >= self.first_day && date <= self.last_day()
    }

    /// `MMYYYY`, the `fp` of the portal's files.
    pub fn fp(self) -> String {
        format!("{:02}{:04}", self.first_day.month(), self.first_day.year())
    }
}

impl std::str::FromStr for ReturnPeriod {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let wrong = || format!("a return period is MMYYYY (112026 for November 2026), not {text}");
        if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(wrong());
        }
        let month: u32 = text
            .get(0..2)
            .and_then(|m| m.parse().ok())
            .ok_or_else(wrong)?;
        let year: i32 = text
            .get(2..6)
            .and_then(|y| y.parse().ok())
            .ok_or_else(wrong)?;
        if year < 2017 {
            return Err(format!("GST returns begin in July 2017, not {text}"));
        }
        Self::new(year, month).ok_or_else(wrong)
    }
}

impl std::fmt::Display for ReturnPeriod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.fp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_span_their_month() {
        let p: ReturnPeriod = "022028".parse().unwrap();
        assert_eq!(p.fp(), "022028");
        assert_eq!(p.last_day(), NaiveDate::from_ymd_opt(2028, 2, 29).unwrap());
        assert!("132026".parse::<ReturnPeriod>().is_err());
        assert!("11-2026".parse::<ReturnPeriod>().is_err());
        assert!("112016".parse::<ReturnPeriod>().is_err());
    }
}
