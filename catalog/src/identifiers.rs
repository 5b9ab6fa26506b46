//! Validation of the Indian identifiers a cooperative carries: PIN codes, GSTINs and
//! FSSAI licence numbers. Each parser is the only way to make its value.

/// The GST state code of the Union Territory of Ladakh.
pub const LADAKH_STATE_CODE: &str = "38";

const GSTIN_ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Checks an Indian postal PIN code: six digits, the first not zero.
pub fn parse_pin_code(raw: &str) -> Result<String, String> {
    let pin = raw.trim();
    let bytes = pin.as_bytes();
    if bytes.len() != 6 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err("PIN code must be 6 digits".to_owned());
    }
    if bytes.first() == Some(&b'0') {
        return Err("PIN code cannot start with 0".to_owned());
    }
    Ok(pin.to_owned())
}

/// Checks a GSTIN: 15 characters, a known state code, a PAN-shaped middle and the
/// Luhn mod 36 check character. Returns it upper-cased.
pub fn parse_gstin(raw: &str) -> Result<String, String> {
    let gstin = raw.trim().to_ascii_uppercase();
    let bytes = gstin.as_bytes();
    if bytes.len() != 15 {
        return Err("GSTIN must have 15 characters".to_owned());
    }
    let state: u8 = gstin
        .get(0..2)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| "GSTIN must start with a 2-digit state code".to_owned())?;
    if !(1..=38).contains(&state) && state != 97 && state != 99 {
        return Err(format!(
            "GSTIN state code {state:02} is not a GST state code"
        ));
    }
    let pan_shape = bytes
        .get(2..7)
        .is_some_and(|p| p.iter().all(u8::is_ascii_uppercase))
        && bytes
            .get(7..11)
            .is_some_and(|p| p.iter().all(u8::is_ascii_digit))
        && bytes.get(11).is_some_and(u8::is_ascii_uppercase);
    if !pan_shape {
        return Err(
            "GSTIN characters 3 to 12 must be a PAN (5 letters, 4 digits, 1 letter)".to_owned(),
        );
    }
    if !bytes
        .get(12)
        .is_some_and(|c| c.is_ascii_alphanumeric() && *c != b'0')
    {
        return Err("GSTIN character 13 must be the entity number 1-9 or A-Z".to_owned());
    }
    let expected = gstin_check_character(bytes.get(..14).unwrap_or_default())
        .ok_or_else(|| "GSTIN contains characters outside 0-9 and A-Z".to_owned())?;
    if bytes.get(14) != Some(&expected) {
        return Err("GSTIN check character does not match".to_owned());
    }
    Ok(gstin)
}

/// The GSTIN check character (Luhn mod 36) over the first 14 characters.
fn gstin_check_character(first_fourteen: &[u8]) -> Option<u8> {
    let mut sum = 0_usize;
    for (index, character) in first_fourteen.iter().enumerate() {
        let value = GSTIN_ALPHABET.iter().position(|c| c == character)?;
        let product = value * if index % 2 == 0 { 1 } else { 2 };
        sum += product / 36 + product % 36;
    }
    GSTIN_ALPHABET.get((36 - sum % 36) % 36).copied()
}

/// The GST codes of the States and Union Territories a supplier can be registered in
/// (domain facts 2.4). 25 (Daman & Diu) and 28 (old Andhra Pradesh) are legacy codes,
/// and 97 (Other Territory) and 99 (Centre Jurisdiction) are not a State or UT.
pub const STATE_AND_UT_CODES: [&str; 36] = [
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16",
    "17", "18", "19", "20", "21", "22", "23", "24", "26", "27", "29", "30", "31", "32", "33", "34",
    "35", "36", "37", "38",
];

/// Checks the GST code of a State or Union Territory.
pub fn parse_state_code(raw: &str) -> Result<String, String> {
    let code = raw.trim();
    if STATE_AND_UT_CODES.contains(&code) {
        Ok(code.to_owned())
    } else {
        Err(format!(
            "{code} is not the GST code of a State or Union Territory"
        ))
    }
}

/// Checks an FSSAI licence or registration number: exactly 14 digits.
pub fn parse_fssai_licence(raw: &str) -> Result<String, String> {
    let licence = raw.trim();
    if licence.len() == 14 && licence.bytes().all(|c| c.is_ascii_digit()) {
        Ok(licence.to_owned())
    } else {
        Err("FSSAI licence number must be 14 digits".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_codes_are_states_and_union_territories_only() {
        assert_eq!(parse_state_code("38").as_deref(), Ok("38"));
        assert_eq!(parse_state_code(" 07 ").as_deref(), Ok("07"));
        for code in ["00", "25", "28", "39", "97", "99", "7", "ab"] {
            assert!(parse_state_code(code).is_err(), "{code}");
        }
    }

    #[test]
    fn gstin_accepts_the_published_test_vector() {
        assert_eq!(
            parse_gstin("27aapfu0939f1zv").as_deref(),
            Ok("27AAPFU0939F1ZV")
        );
    }

    #[test]
    fn gstin_rejects_a_wrong_check_character_and_bad_shapes() {
        assert!(parse_gstin("27AAPFU0939F1ZW").is_err());
        assert!(parse_gstin("27AAPFU0939F1Z").is_err());
        assert!(parse_gstin("00AAPFU0939F1ZV").is_err());
        assert!(parse_gstin("2712345678901ZV").is_err());
    }

    #[test]
    fn pin_codes_are_six_digits_not_starting_with_zero() {
        assert_eq!(parse_pin_code(" 194101 ").as_deref(), Ok("194101"));
        for bad in ["094101", "19410", "1941011", "19A101"] {
            assert!(parse_pin_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fssai_numbers_are_fourteen_digits() {
        assert!(parse_fssai_licence("10019022000123").is_ok());
        assert!(parse_fssai_licence("1001902200012").is_err());
    }
}
