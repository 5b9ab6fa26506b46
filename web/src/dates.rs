//! Dates as people read them, in the page's language: `20 Aug 2026`, `20 अगस्त 2026`.
//! The API's timestamps are UTC; a cooperative's day is India's, so a timestamp is
//! shown as its date in India (UTC+05:30, no daylight saving).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};

use crate::i18n::Tr;

/// India's offset from UTC, in seconds.
const INDIA: i32 = 5 * 3600 + 30 * 60;

fn named(t: &Tr, date: NaiveDate) -> String {
    format!(
        "{} {} {}",
        date.day(),
        t.t(&format!("con-month-{}", date.month())),
        date.year()
    )
}

/// A `YYYY-MM-DD` date or an RFC 3339 timestamp as a date in words; what cannot be
/// read is shown as it came.
pub(crate) fn day(t: &Tr, value: &str) -> String {
    if let Ok(date) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return named(t, date);
    }
    match (
        DateTime::parse_from_rfc3339(value),
        FixedOffset::east_opt(INDIA),
    ) {
        (Ok(at), Some(india)) => named(t, at.with_timezone(&india).date_naive()),
        _ => value.to_owned(),
    }
}

/// Today's date in India.
pub(crate) fn today() -> NaiveDate {
    let now = Utc::now();
    FixedOffset::east_opt(INDIA).map_or(now.date_naive(), |india| {
        now.with_timezone(&india).date_naive()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn dates_in_words_in_both_languages() {
        let en = Tr { lang: Lang::En };
        let hi = Tr { lang: Lang::Hi };
        assert_eq!(day(&en, "2026-08-20"), "20 Aug 2026");
        assert_eq!(day(&hi, "2026-08-20"), "20 अगस्त 2026");
        // 20:00 UTC is already the next day in India.
        assert_eq!(day(&hi, "2026-11-30T20:00:00Z"), "1 दिसंबर 2026");
        assert_eq!(day(&en, "2026-11-30T10:00:00.123+00:00"), "30 Nov 2026");
        assert_eq!(day(&en, "soon"), "soon");
    }
}
