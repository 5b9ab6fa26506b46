//! Webhook signatures against an independent implementation: Stripe's official Python
//! library, pinned, in a virtualenv this test creates under the target directory the
//! first time it runs (so a fresh clone needs only `python3` with `venv` and access to
//! PyPI). Stripe signs and our verifier (kernel::webhook_signature, used by the Stripe
//! webhook and the channels' order webhooks) must accept; our signer (the Stripe double
//! that drives the payment tests) signs and Stripe's verifier must accept; tampered
//! inputs are refused by both, so neither side can agree vacuously.
//!
//! Razorpay's two schemes (the webhook's `X-Razorpay-Signature` over the raw body,
//! Checkout's `razorpay_signature` over `order_id|payment_id`) are checked the same
//! way against Razorpay's official Python package, pinned, in its own virtualenv.

use std::{
    io::Write,
    path::PathBuf,
    process::{Command, Stdio},
    sync::OnceLock,
    time::Duration,
};

use kernel::webhook_signature::verify_signature;
use serde_json::{Value, json};

use crate::support::{razorpay_fake, stripe_fake};

const STRIPE_VERSION: &str = "16.1.0";

const RAZORPAY_VERSION: &str = "2.0.1";

fn stripe_python() -> &'static PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| venv_with("stripe", STRIPE_VERSION))
}

fn razorpay_python() -> &'static PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| venv_with("razorpay", RAZORPAY_VERSION))
}

/// A virtualenv's python with `package==version`, created once per target directory.
/// Built in a scratch directory and renamed into place, so concurrent test runs never
/// see half of one.
fn venv_with(package: &str, version: &str) -> PathBuf {
    {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        let venv = root.join(format!("{package}-python-{version}"));
        let python = venv.join("bin").join("python");
        if python.exists() {
            return python;
        }
        std::fs::create_dir_all(&root).unwrap();
        let scratch = tempfile::Builder::new()
            .prefix(&format!("{package}-venv-"))
            .tempdir_in(&root)
            .unwrap();
        let staging = scratch.path().join("venv");
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&staging)
            .status()
            .expect("python3 with the venv module is needed for the signature tests");
        assert!(status.success(), "python3 -m venv failed");
        let status = Command::new(staging.join("bin").join("python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                &format!("{package}=={version}"),
            ])
            .status()
            .unwrap();
        assert!(status.success(), "pip install {package}=={version} failed");
        // Another run may have won the race; its virtualenv is as good as ours.
        if std::fs::rename(&staging, &venv).is_err() {
            assert!(python.exists(), "could not move the virtualenv into place");
        }
        python
    }
}

const SCRIPT: &str = r#"
import json, sys
import stripe
from stripe import WebhookSignature
request = json.load(sys.stdin)
out = {"version": stripe.VERSION, "headers": [], "verified": []}
for secret, timestamp, payload in request["sign"]:
    out["headers"].append(WebhookSignature.generate_signature_header(payload, secret, timestamp))
for secret, header, payload in request["verify"]:
    try:
        WebhookSignature.verify_header(payload, header, secret, tolerance=None)
        out["verified"].append(True)
    except stripe.SignatureVerificationError:
        out["verified"].append(False)
print(json.dumps(out))
"#;

/// Asks Stripe's library to sign `sign` ([secret, timestamp, payload]) and to verify
/// `verify` ([secret, header, payload]).
fn stripe(sign: &[(&str, i64, &str)], verify: &[(&str, String, &str)]) -> (Vec<String>, Vec<bool>) {
    let mut child = Command::new(stripe_python())
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let request = json!({ "sign": sign, "verify": verify });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "the Stripe script failed");
    let out: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(out["version"], STRIPE_VERSION);
    let headers: Vec<String> = serde_json::from_value(out["headers"].clone()).unwrap();
    let verified: Vec<bool> = serde_json::from_value(out["verified"].clone()).unwrap();
    assert_eq!(headers.len(), sign.len());
    assert_eq!(verified.len(), verify.len());
    (headers, verified)
}

const TOLERANCE: Duration = Duration::from_secs(300);

/// Payloads chosen to catch encoding slips: empty, non-ASCII, separators of the header
/// inside the payload, a newline.
const CASES: [(&str, i64, &str); 5] = [
    (
        "whsec_test_a",
        1_764_400_000,
        r#"{"id":"evt_1","type":"payment_intent.succeeded"}"#,
    ),
    ("whsec_test_b", 1_700_000_000, ""),
    (
        "whsec_rotated_2026",
        1_764_400_123,
        r#"{"notes":"Raktsey Karpo — 2 × 500 g, ₹720"}"#,
    ),
    ("whsec_x", 1_764_499_999, "t=1,v1=00,v0=ff.{\"a\":1}"),
    ("whsec_nl", 1_764_400_000, "{\n  \"pretty\": true\n}\n"),
];

#[test]
fn our_verifier_accepts_what_stripe_signs_and_refuses_it_tampered() {
    let (headers, _) = stripe(&CASES, &[]);
    for ((secret, timestamp, payload), header) in CASES.iter().zip(&headers) {
        assert!(
            header.starts_with(&format!("t={timestamp},v1=")),
            "{header}"
        );
        assert_eq!(
            verify_signature(secret, header, payload.as_bytes(), *timestamp, TOLERANCE),
            Ok(()),
            "{header} over {payload:?}"
        );
        let tampered = format!("{payload} ");
        assert!(
            verify_signature(secret, header, tampered.as_bytes(), *timestamp, TOLERANCE).is_err()
        );
        assert!(
            verify_signature(
                "whsec_wrong",
                header,
                payload.as_bytes(),
                *timestamp,
                TOLERANCE
            )
            .is_err()
        );
    }
    // While a secret is rolled Stripe sends one v1 per secret; either secret verifies.
    let (rolled, _) = stripe(&[(CASES[2].0, CASES[0].1, CASES[0].2)], &[]);
    let v1 = |header: &str| header.rsplit_once("v1=").unwrap().1.to_owned();
    let both = format!(
        "t={},v1={},v1={}",
        CASES[0].1,
        v1(&headers[0]),
        v1(&rolled[0])
    );
    for secret in [CASES[0].0, CASES[2].0] {
        assert_eq!(
            verify_signature(secret, &both, CASES[0].2.as_bytes(), CASES[0].1, TOLERANCE),
            Ok(()),
            "{both}"
        );
    }
}

#[test]
fn stripe_accepts_what_our_signer_produces_and_refuses_it_tampered() {
    let ours: Vec<String> = CASES
        .iter()
        .map(|(secret, timestamp, payload)| stripe_fake::signature(secret, *timestamp, payload))
        .collect();
    let mut verify: Vec<(&str, String, &str)> = CASES
        .iter()
        .zip(&ours)
        .map(|((secret, _, payload), header)| (*secret, header.clone(), *payload))
        .collect();
    // The same headers, each spoiled once: a flipped signature nibble, another secret,
    // another payload. Stripe must refuse these, or its "yes" above means nothing.
    let flip = |header: &str| {
        let (head, signature) = header.rsplit_once("v1=").unwrap();
        let first = if signature.starts_with('0') { '1' } else { '0' };
        format!("{head}v1={first}{}", &signature[1..])
    };
    verify.push((CASES[0].0, flip(&ours[0]), CASES[0].2));
    verify.push(("whsec_wrong", ours[1].clone(), CASES[1].2));
    verify.push((CASES[2].0, ours[2].clone(), CASES[3].2));
    let (_, verified) = stripe(&[], &verify);
    assert_eq!(
        verified,
        [true, true, true, true, true, false, false, false],
        "{verify:?}"
    );
}

/// Razorpay's own verifier, and the signatures its code computes (captured from the
/// `hmac.compare_digest` it makes the final comparison with).
const RAZORPAY_SCRIPT: &str = r#"
import hashlib, hmac, json, sys
import razorpay
from razorpay.errors import SignatureVerificationError
module = sys.modules[razorpay.Utility.__module__]
computed = []
class Recording:
    new = staticmethod(hmac.new)
    @staticmethod
    def compare_digest(a, b):
        computed.append(a)
        return hmac.compare_digest(a, b)
module.hmac = Recording
request = json.load(sys.stdin)
out = {"webhook": [], "payment": [], "computed": []}
for secret, body, signature in request["webhook"]:
    try:
        out["webhook"].append(bool(razorpay.Utility().verify_webhook_signature(body, signature, secret)))
    except SignatureVerificationError:
        out["webhook"].append(False)
for key_secret, order_id, payment_id, signature in request["payment"]:
    client = razorpay.Client(auth=("rzp_test_key", key_secret))
    try:
        out["payment"].append(bool(client.utility.verify_payment_signature({
            "razorpay_order_id": order_id, "razorpay_payment_id": payment_id,
            "razorpay_signature": signature})))
    except SignatureVerificationError:
        out["payment"].append(False)
out["computed"] = computed
print(json.dumps(out))
"#;

type Webhook<'a> = (&'a str, &'a str, String);
type Payment<'a> = (&'a str, &'a str, &'a str, String);

/// Razorpay's package verifies each case; returns its verdicts and the signature its
/// code computed for each (webhooks first, then payments).
fn razorpay(
    webhook: &[Webhook<'_>],
    payment: &[Payment<'_>],
) -> (Vec<bool>, Vec<bool>, Vec<String>) {
    let mut child = Command::new(razorpay_python())
        .args(["-c", RAZORPAY_SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let request = json!({ "webhook": webhook, "payment": payment });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "the Razorpay script failed");
    let out: Value = serde_json::from_slice(&output.stdout).unwrap();
    let webhooks: Vec<bool> = serde_json::from_value(out["webhook"].clone()).unwrap();
    let payments: Vec<bool> = serde_json::from_value(out["payment"].clone()).unwrap();
    let computed: Vec<String> = serde_json::from_value(out["computed"].clone()).unwrap();
    assert_eq!(webhooks.len(), webhook.len());
    assert_eq!(payments.len(), payment.len());
    assert_eq!(computed.len(), webhook.len() + payment.len());
    (webhooks, payments, computed)
}

/// Webhook bodies chosen to catch encoding slips: empty, non-ASCII, a newline.
const RAZORPAY_BODIES: [(&str, &str); 4] = [
    (
        "rzp_whsec_a",
        r#"{"entity":"event","event":"payment.captured","payload":{}}"#,
    ),
    ("rzp_whsec_b", ""),
    (
        "rzp_whsec_c",
        r#"{"notes":{"item":"Raktsey Karpo — 2 × 500 g, ₹720"}}"#,
    ),
    ("rzp_whsec_d", "{\n  \"pretty\": true\n}\n"),
];

const RAZORPAY_PAYMENTS: [(&str, &str, &str); 2] = [
    ("rzp_secret_a", "order_IluGWxBm9U8zJ8", "pay_IluGWxBm9U8zJ9"),
    ("rzp_secret_b", "order_Fake0000000001", "pay_Fake0000000002"),
];

#[test]
fn razorpay_and_we_agree_on_both_signature_schemes() {
    let flip = |signature: &str| {
        let first = if signature.starts_with('0') { '1' } else { '0' };
        format!("{first}{}", &signature[1..])
    };
    // Our signer (the double's, which drives the payment tests), then each spoiled:
    // a flipped digit, another secret, another body.
    let mut webhook: Vec<Webhook<'_>> = RAZORPAY_BODIES
        .iter()
        .map(|(secret, body)| {
            (
                *secret,
                *body,
                razorpay_fake::webhook_signature(secret, body),
            )
        })
        .collect();
    let signed = webhook.clone();
    webhook.push((signed[0].0, signed[0].1, flip(&signed[0].2)));
    webhook.push(("rzp_whsec_other", signed[1].1, signed[1].2.clone()));
    webhook.push((signed[2].0, signed[3].1, signed[2].2.clone()));
    let mut payment: Vec<Payment<'_>> = RAZORPAY_PAYMENTS
        .iter()
        .map(|(secret, order, pay)| {
            (
                *secret,
                *order,
                *pay,
                razorpay_fake::checkout_signature(secret, order, pay),
            )
        })
        .collect();
    let good = payment.clone();
    payment.push((good[0].0, good[0].1, good[0].2, flip(&good[0].3)));
    // Signed for another order: the order id is part of what is signed.
    payment.push((good[1].0, good[0].1, good[1].2, good[1].3.clone()));
    let (webhooks, payments, computed) = razorpay(&webhook, &payment);
    assert_eq!(
        webhooks,
        [true, true, true, true, false, false, false],
        "{webhook:?}"
    );
    assert_eq!(payments, [true, true, false, false], "{payment:?}");

    // Our verifiers accept exactly what Razorpay's code computed, and refuse it spoiled.
    let (computed_webhooks, computed_payments) = computed.split_at(webhook.len());
    for ((secret, body, _), razorpays) in webhook.iter().zip(computed_webhooks) {
        assert_eq!(
            orders::razorpay::verify_webhook_signature(secret, body.as_bytes(), razorpays),
            Ok(()),
            "{body:?}"
        );
        assert!(
            orders::razorpay::verify_webhook_signature(secret, body.as_bytes(), &flip(razorpays))
                .is_err()
        );
        assert!(
            orders::razorpay::verify_webhook_signature(
                "rzp_whsec_wrong",
                body.as_bytes(),
                razorpays
            )
            .is_err()
        );
        let tampered = format!("{body} ");
        assert!(
            orders::razorpay::verify_webhook_signature(secret, tampered.as_bytes(), razorpays)
                .is_err()
        );
    }
    for ((secret, order, pay, _), razorpays) in payment.iter().zip(computed_payments) {
        assert_eq!(
            orders::razorpay::verify_payment_signature(secret, order, pay, razorpays),
            Ok(())
        );
        assert!(
            orders::razorpay::verify_payment_signature(secret, "order_Other000001", pay, razorpays)
                .is_err()
        );
        assert!(
            orders::razorpay::verify_payment_signature(secret, order, pay, &flip(razorpays))
                .is_err()
        );
    }
}
