//! Webhook signatures against an independent implementation: Stripe's official Python
//! library, pinned, in a virtualenv this test creates under the target directory the
//! first time it runs (so a fresh clone needs only `python3` with `venv` and access to
//! PyPI). Stripe signs and our verifier (kernel::webhook_signature, used by the Stripe
//! webhook and the channels' order webhooks) must accept; our signer (the Stripe double
//! that drives the payment tests) signs and Stripe's verifier must accept; tampered
//! inputs are refused by both, so neither side can agree vacuously.

use std::{
    io::Write,
    path::PathBuf,
    process::{Command, Stdio},
    sync::OnceLock,
    time::Duration,
};

use kernel::webhook_signature::verify_signature;
use serde_json::{Value, json};

use crate::support::stripe_fake;

const STRIPE_VERSION: &str = "16.1.0";

/// The virtualenv's python, created once per target directory. Built in a scratch
/// directory and renamed into place, so concurrent test runs never see half of one.
fn stripe_python() -> &'static PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        let venv = root.join(format!("stripe-python-{STRIPE_VERSION}"));
        let python = venv.join("bin").join("python");
        if python.exists() {
            return python;
        }
        std::fs::create_dir_all(&root).unwrap();
        let scratch = tempfile::Builder::new()
            .prefix("stripe-venv-")
            .tempdir_in(&root)
            .unwrap();
        let staging = scratch.path().join("venv");
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&staging)
            .status()
            .expect("python3 with the venv module is needed for the Stripe signature test");
        assert!(status.success(), "python3 -m venv failed");
        let status = Command::new(staging.join("bin").join("python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                &format!("stripe=={STRIPE_VERSION}"),
            ])
            .status()
            .unwrap();
        assert!(
            status.success(),
            "pip install stripe=={STRIPE_VERSION} failed"
        );
        // Another run may have won the race; its virtualenv is as good as ours.
        if std::fs::rename(&staging, &venv).is_err() {
            assert!(python.exists(), "could not move the virtualenv into place");
        }
        python
    })
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
