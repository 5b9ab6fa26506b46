//! Razorpay webhook deliveries (`X-Razorpay-Signature`, `X-Razorpay-Event-Id`, body)
//! and Checkout callbacks: refused or accepted, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == b'\n');
    let signature = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let event_id = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let payload = parts.next().unwrap_or_default();
    let _ = orders::razorpay::verify_webhook_signature("rzp_whsec_fuzz", payload, &signature);
    let _ = orders::razorpay::verify_payment_signature(
        "rzp_secret_fuzz",
        &event_id,
        &event_id,
        &signature,
    );
    // The event reader runs on bodies whose signature was verified; fuzz it on all.
    let _ = orders::razorpay::read_event(Some(&*event_id), payload);
    let _ = orders::razorpay::read_event(None, payload);
});
