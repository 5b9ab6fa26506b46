//! Stripe webhook signature headers and payloads: refused or accepted, never a panic.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (header, payload) = match data.iter().position(|b| *b == b'\n') {
        Some(split) => (&data[..split], &data[split + 1..]),
        None => (data, &[][..]),
    };
    let header = String::from_utf8_lossy(header);
    let _ = orders::stripe::verify_signature("whsec_fuzz", &header, payload, 1_780_000_000, Duration::from_secs(300));
    let _ = connectors::inbound::verify_signature("secret", &header, payload, 1_780_000_000, Duration::from_secs(300));
    let _ = serde_json::from_slice::<serde_json::Value>(payload);
});
