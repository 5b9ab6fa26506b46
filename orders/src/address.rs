//! Delivery addresses: Indian PIN codes and GST state codes, checked against each other.

use catalog::identifiers::parse_pin_code;
use kernel::{FieldError, FieldErrorCode};
use serde::{Deserialize, Serialize};

/// GST state codes in use for a place of supply, with their names (domain facts 2.4).
/// 25 (Daman & Diu) and 28 (old Andhra Pradesh) are legacy and not accepted for new
/// supplies.
pub const STATES: [(&str, &str); 36] = [
    ("01", "Jammu and Kashmir"),
    ("02", "Himachal Pradesh"),
    ("03", "Punjab"),
    ("04", "Chandigarh"),
    ("05", "Uttarakhand"),
    ("06", "Haryana"),
    ("07", "Delhi"),
    ("08", "Rajasthan"),
    ("09", "Uttar Pradesh"),
    ("10", "Bihar"),
    ("11", "Sikkim"),
    ("12", "Arunachal Pradesh"),
    ("13", "Nagaland"),
    ("14", "Manipur"),
    ("15", "Mizoram"),
    ("16", "Tripura"),
    ("17", "Meghalaya"),
    ("18", "Assam"),
    ("19", "West Bengal"),
    ("20", "Jharkhand"),
    ("21", "Odisha"),
    ("22", "Chhattisgarh"),
    ("23", "Madhya Pradesh"),
    ("24", "Gujarat"),
    ("26", "Dadra and Nagar Haveli and Daman and Diu"),
    ("27", "Maharashtra"),
    ("29", "Karnataka"),
    ("30", "Goa"),
    ("31", "Lakshadweep"),
    ("32", "Kerala"),
    ("33", "Tamil Nadu"),
    ("34", "Puducherry"),
    ("35", "Andaman and Nicobar Islands"),
    ("36", "Telangana"),
    ("37", "Andhra Pradesh"),
    ("38", "Ladakh"),
];

/// GST state code of Ladakh, where the cooperatives supply from unless their GSTIN
/// says otherwise.
pub const LADAKH_STATE_CODE: &str = "38";

/// A 10-digit Indian mobile number (with or without +91, spaces or dashes) as
/// `+91XXXXXXXXXX`, or None.
pub fn indian_mobile(raw: &str) -> Option<String> {
    if raw.len() > 32 {
        return None;
    }
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let phone = digits
        .strip_prefix("91")
        .filter(|_| digits.len() == 12)
        .unwrap_or(&digits);
    (phone.len() == 10 && matches!(phone.as_bytes().first(), Some(b'6'..=b'9')))
        .then(|| format!("+91{phone}"))
}

pub fn state_name(code: &str) -> Option<&'static str> {
    STATES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, name)| *name)
}

const PIN_PREFIXES_JSON: &str = include_str!("../../data/reference/pin_prefixes.json");

/// The PIN prefixes of each State/UT (GST state code to inclusive ranges of the first
/// three digits), from `data/reference/pin_prefixes.json`.
fn pin_prefixes() -> &'static std::collections::HashMap<String, Vec<(u16, u16)>> {
    static PREFIXES: std::sync::LazyLock<std::collections::HashMap<String, Vec<(u16, u16)>>> =
        std::sync::LazyLock::new(|| parse_pin_prefixes(PIN_PREFIXES_JSON).unwrap_or_default());
    &PREFIXES
}

fn parse_pin_prefixes(
    text: &str,
) -> Result<std::collections::HashMap<String, Vec<(u16, u16)>>, String> {
    let raw: std::collections::HashMap<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut prefixes = std::collections::HashMap::new();
    for (code, ranges) in raw.into_iter().filter(|(code, _)| !code.starts_with('_')) {
        let ranges: Vec<String> = serde_json::from_value(ranges).map_err(|e| e.to_string())?;
        let mut parsed = Vec::with_capacity(ranges.len());
        for range in ranges {
            let (from, to) = range.split_once('-').unwrap_or((&range, &range));
            let number = |text: &str| {
                text.trim()
                    .parse::<u16>()
                    .map_err(|e| format!("{code}: {range}: {e}"))
            };
            parsed.push((number(from)?, number(to)?));
        }
        prefixes.insert(code, parsed);
    }
    Ok(prefixes)
}

/// The prefix ranges of a State/UT, or `None` for a code that is not one.
fn pin_ranges(state_code: &str) -> Option<&'static [(u16, u16)]> {
    pin_prefixes().get(state_code).map(Vec::as_slice)
}

/// A delivery address as the buyer gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub name: String,
    pub phone: String,
    pub line1: String,
    #[serde(default)]
    pub line2: Option<String>,
    pub city: String,
    pub pin_code: String,
    pub state_code: String,
    /// The buyer's GSTIN, printed on the invoice when the buyer is registered.
    #[serde(default)]
    pub gstin: Option<String>,
}

impl Address {
    /// Normalises the address and lists every problem, each under `prefix`.
    pub fn checked(mut self, prefix: &str) -> Result<Self, Vec<FieldError>> {
        let mut problems = Vec::new();
        let field = |name: &str| format!("{prefix}.{name}");
        for (name, value, max) in [
            ("name", &mut self.name, 100),
            ("line1", &mut self.line1, 200),
            ("city", &mut self.city, 100),
        ] {
            *value = value.trim().to_owned();
            if value.is_empty() {
                problems.push(FieldError::new(
                    &field(name),
                    FieldErrorCode::Required,
                    format!("{name} is required"),
                ));
            } else if value.chars().count() > max || value.chars().any(char::is_control) {
                problems.push(FieldError::new(
                    &field(name),
                    FieldErrorCode::Invalid,
                    format!("{name} must be at most {max} characters without control characters"),
                ));
            }
        }
        self.line2 = self
            .line2
            .map(|line| line.trim().to_owned())
            .filter(|line| !line.is_empty());
        if self
            .line2
            .as_ref()
            .is_some_and(|line| line.chars().count() > 200 || line.chars().any(char::is_control))
        {
            problems.push(FieldError::new(
                &field("line2"),
                FieldErrorCode::Invalid,
                "line2 must be at most 200 characters without control characters",
            ));
        }
        if let Some(phone) = indian_mobile(&self.phone) {
            self.phone = phone;
        } else {
            problems.push(FieldError::new(
                &field("phone"),
                FieldErrorCode::Invalid,
                "phone must be a 10-digit Indian mobile number",
            ));
        }
        self.state_code = self.state_code.trim().to_owned();
        let ranges = pin_ranges(&self.state_code);
        if ranges.is_none() {
            problems.push(FieldError::new(
                &field("stateCode"),
                FieldErrorCode::Invalid,
                "stateCode must be a GST state code such as 38 (Ladakh) or 07 (Delhi)",
            ));
        }
        match parse_pin_code(&self.pin_code) {
            Ok(pin) => {
                // A parsed PIN is six digits; its first three are the sorting district.
                let prefix = pin
                    .get(..3)
                    .and_then(|p| p.parse::<u16>().ok())
                    .unwrap_or(0);
                let army_post = pin.starts_with('9');
                if let Some(ranges) = ranges
                    && !army_post
                    && !ranges
                        .iter()
                        .any(|(from, to)| (*from..=*to).contains(&prefix))
                {
                    let listed: Vec<String> = ranges
                        .iter()
                        .map(|(from, to)| {
                            if from == to {
                                format!("{from}")
                            } else {
                                format!("{from}-{to}")
                            }
                        })
                        .collect();
                    problems.push(FieldError::new(
                        &field("pinCode"),
                        FieldErrorCode::Invalid,
                        format!(
                            "PIN {pin} is not in {}: PIN codes there start with {}",
                            state_name(&self.state_code).unwrap_or("that state"),
                            listed.join(", ")
                        ),
                    ));
                }
                self.pin_code = pin;
            }
            Err(message) => problems.push(FieldError::new(
                &field("pinCode"),
                FieldErrorCode::Invalid,
                message,
            )),
        }
        if let Some(gstin) = self.gstin.take().filter(|g| !g.trim().is_empty()) {
            match catalog::identifiers::parse_gstin(&gstin) {
                Ok(gstin) => self.gstin = Some(gstin),
                Err(message) => problems.push(FieldError::new(
                    &field("gstin"),
                    FieldErrorCode::Invalid,
                    message,
                )),
            }
        }
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leh() -> Address {
        Address {
            name: "Tsering Dolma".into(),
            phone: "98765 43210".into(),
            line1: "Main Bazaar".into(),
            line2: None,
            city: "Leh".into(),
            pin_code: "194101".into(),
            state_code: "38".into(),
            gstin: None,
        }
    }

    #[test]
    fn a_ladakh_address_is_accepted_and_normalised() {
        let address = leh().checked("address").unwrap_or_default();
        assert_eq!(address.phone, "+919876543210");
        assert_eq!(address.pin_code, "194101");
    }

    #[test]
    fn a_pin_from_another_region_names_the_field() {
        let address = Address {
            pin_code: "600001".into(),
            ..leh()
        };
        let problems = address.checked("address").err().unwrap_or_default();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, ["address", "pinCode"]);
    }

    #[test]
    fn the_pin_must_belong_to_the_declared_state_not_only_its_region() {
        assert!(parse_pin_prefixes(PIN_PREFIXES_JSON).is_ok());
        for (code, _) in STATES {
            assert!(pin_ranges(code).is_some(), "no PIN prefixes for {code}");
        }
        // Delhi is in region 1 like Ladakh, but 110001 is not a Ladakh PIN.
        let delhi_pin = Address {
            pin_code: "110001".into(),
            ..leh()
        };
        let problems = delhi_pin.checked("address").err().unwrap_or_default();
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].message.contains("194"),
            "{}",
            problems[0].message
        );
        let kargil = Address {
            pin_code: "194103".into(),
            ..leh()
        };
        assert!(kargil.checked("address").is_ok());
        let delhi = Address {
            pin_code: "110001".into(),
            state_code: "07".into(),
            ..leh()
        };
        assert!(delhi.checked("address").is_ok());
    }

    #[test]
    fn every_problem_is_reported() {
        let address = Address {
            name: " ".into(),
            phone: "12".into(),
            pin_code: "012345".into(),
            state_code: "99".into(),
            ..leh()
        };
        let problems = address.checked("a").err().unwrap_or_default();
        let fields: Vec<String> = problems.iter().map(|p| p.field.join(".")).collect();
        assert_eq!(fields, ["a.name", "a.phone", "a.stateCode", "a.pinCode"]);
    }
}

/// A seeded stand-in for the `pin_code` fuzz target that runs under `cargo test`:
/// random and mutated addresses, checking that nothing panics and that what `checked`
/// accepts or refuses keeps its documented promises.
#[cfg(test)]
mod hostile_input {
    use rand::{Rng, SeedableRng, rngs::StdRng};

    use super::*;

    const PIECES: [&str; 24] = [
        "",
        " ",
        "0",
        "1",
        "9",
        "38",
        "07",
        "194101",
        "110001",
        "600001",
        "012345",
        "+91",
        "91",
        "98765 43210",
        "6",
        "\u{0}",
        "\n",
        "\t",
        "é",
        "लद्दाख",
        "-",
        "Z",
        "ZZ",
        "🙂",
    ];

    fn random_text(rng: &mut StdRng) -> String {
        (0..rng.random_range(0..5))
            .map(|_| {
                if rng.random_bool(0.8) {
                    PIECES[rng.random_range(0..PIECES.len())].to_owned()
                } else {
                    char::from_u32(rng.random_range(0..0x3000))
                        .map_or_else(String::new, |c| c.to_string())
                }
            })
            .collect()
    }

    fn valid() -> Address {
        Address {
            name: "Tsering Dolma".into(),
            phone: "98765 43210".into(),
            line1: "Main Bazaar".into(),
            line2: Some("Near the polo ground".into()),
            city: "Leh".into(),
            pin_code: "194101".into(),
            state_code: "38".into(),
            gstin: Some("38AAAAS1234A1Z3".into()),
        }
    }

    /// Replaces one to three fields of a valid address with random text, so that both
    /// accepted and refused addresses come out.
    fn mutated(rng: &mut StdRng) -> Address {
        let mut address = valid();
        for _ in 0..rng.random_range(1..4) {
            let text = random_text(rng);
            match rng.random_range(0..8) {
                0 => address.name = text,
                1 => address.phone = text,
                2 => address.line1 = text,
                3 => address.line2 = Some(text),
                4 => address.city = text,
                5 => address.pin_code = text,
                6 => address.state_code = text,
                _ => address.gstin = Some(text),
            }
        }
        address
    }

    fn check_invariants(input: Address) -> bool {
        match input.clone().checked("in") {
            Ok(address) => {
                for (value, max) in [
                    (&address.name, 100),
                    (&address.line1, 200),
                    (&address.city, 100),
                ] {
                    assert!(!value.is_empty() && value.trim() == value, "{input:?}");
                    assert!(value.chars().count() <= max, "{input:?}");
                    assert!(!value.chars().any(char::is_control), "{input:?}");
                }
                let phone = address.phone.strip_prefix("+91").unwrap_or_default();
                assert!(
                    phone.len() == 10 && phone.bytes().all(|b| b.is_ascii_digit()),
                    "{address:?}"
                );
                assert!(matches!(phone.as_bytes()[0], b'6'..=b'9'), "{address:?}");
                let pin = address.pin_code.as_bytes();
                assert!(pin.len() == 6 && pin.iter().all(u8::is_ascii_digit) && pin[0] != b'0');
                let ranges = pin_ranges(&address.state_code);
                assert!(ranges.is_some(), "{address:?}");
                let prefix: u16 = address.pin_code[..3].parse().unwrap();
                assert!(
                    pin[0] == b'9'
                        || ranges
                            .unwrap_or_default()
                            .iter()
                            .any(|(from, to)| (*from..=*to).contains(&prefix)),
                    "{address:?}"
                );
                if let Some(gstin) = &address.gstin {
                    assert_eq!(catalog::identifiers::parse_gstin(gstin).as_ref(), Ok(gstin));
                }
                // Checking is idempotent: a normalised address stays as it is.
                assert_eq!(address.clone().checked("in"), Ok(address));
                true
            }
            Err(problems) => {
                assert!(!problems.is_empty(), "{input:?}");
                for problem in &problems {
                    assert_eq!(problem.field.first().map(String::as_str), Some("in"));
                    assert_eq!(problem.field.len(), 2, "{problem:?}");
                }
                false
            }
        }
    }

    #[test]
    fn random_and_mutated_addresses_keep_the_documented_promises() {
        let mut rng = StdRng::seed_from_u64(21);
        assert!(check_invariants(valid()), "the seed address is valid");
        let (mut accepted, mut refused) = (0, 0);
        for round in 0..20_000 {
            let input = if round % 4 == 0 {
                Address {
                    name: random_text(&mut rng),
                    phone: random_text(&mut rng),
                    line1: random_text(&mut rng),
                    line2: Some(random_text(&mut rng)),
                    city: random_text(&mut rng),
                    pin_code: random_text(&mut rng),
                    state_code: random_text(&mut rng),
                    gstin: Some(random_text(&mut rng)),
                }
            } else {
                mutated(&mut rng)
            };
            if check_invariants(input) {
                accepted += 1;
            } else {
                refused += 1;
            }
        }
        // Both paths ran many times, so the invariants above were really exercised.
        assert!(
            accepted > 500 && refused > 500,
            "{accepted} accepted, {refused} refused"
        );
    }

    #[test]
    fn random_pin_codes_parse_only_to_six_digits_not_starting_with_zero() {
        let mut rng = StdRng::seed_from_u64(22);
        let mut parsed = 0;
        for _ in 0..20_000 {
            let text = if rng.random_bool(0.5) {
                format!(
                    "{}{}",
                    " ".repeat(rng.random_range(0..2)),
                    rng.random_range(0..2_000_000)
                )
            } else {
                random_text(&mut rng)
            };
            if let Ok(pin) = parse_pin_code(&text) {
                parsed += 1;
                assert_eq!(pin, text.trim());
                assert!(
                    pin.len() == 6
                        && pin.bytes().all(|b| b.is_ascii_digit())
                        && !pin.starts_with('0')
                );
            }
        }
        assert!(parsed > 1_000, "{parsed}");
    }
}
