//! PIN codes and delivery addresses from any text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(pin) = catalog::identifiers::parse_pin_code(&text) {
        assert_eq!(pin.len(), 6);
        assert!(pin.bytes().all(|b| b.is_ascii_digit()) && !pin.starts_with('0'));
    }
    let parts: Vec<&str> = text.splitn(4, '|').collect();
    let address = orders::Address {
        name: parts.first().copied().unwrap_or_default().to_owned(),
        phone: parts.get(1).copied().unwrap_or_default().to_owned(),
        line1: "x".to_owned(),
        line2: None,
        city: "Leh".to_owned(),
        pin_code: parts.get(2).copied().unwrap_or_default().to_owned(),
        state_code: parts.get(3).copied().unwrap_or_default().to_owned(),
        gstin: None,
    };
    let _ = address.checked("address");
});
