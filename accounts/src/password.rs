//! Password policy and argon2id hashing. Hashing is CPU-bound (tens of milliseconds by
//! design), so it runs on the blocking pool, never on an async worker thread, and
//! memory-hard (19 MiB a hash with the default parameters), so at most one hash per
//! core runs at a time: a burst of logins queues instead of multiplying the server's
//! memory (measured: 32 concurrent registrations took a server from 170 MB to 390 MB).

use argon2::{
    Argon2,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};

use crate::AccountError;

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
const MAX_PASSWORD_BYTES: usize = 1024;

/// Rejects passwords that are too short, too long or trivially guessable.
pub fn check_password_policy(password: &str, email: &str) -> Result<(), AccountError> {
    let weak = |why: String| Err(AccountError::WeakPassword(why));
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return weak(format!(
            "password must have at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return weak(format!(
            "password must have at most {MAX_PASSWORD_BYTES} bytes"
        ));
    }
    let distinct: std::collections::HashSet<char> = password.chars().collect();
    if distinct.len() < 4 {
        return weak("password must use at least 4 different characters".to_owned());
    }
    let local_part = email.split('@').next().unwrap_or_default();
    if !local_part.is_empty() && password.to_lowercase().contains(local_part) {
        return weak("password must not contain the email address".to_owned());
    }
    if is_common(password) {
        return weak(
            "password is one of the most commonly used passwords; choose a less guessable one"
                .to_owned(),
        );
    }
    Ok(())
}

/// The bundled list of common passwords (data/reference/common-passwords.txt, whose
/// header says where it comes from), lower-cased.
static COMMON_PASSWORDS: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
    std::sync::LazyLock::new(|| {
        include_str!("../../data/reference/common-passwords.txt")
            .lines()
            .filter(|line| !line.starts_with("## ") && !line.is_empty())
            .collect()
    });

/// Whether a password is on the common list, as it is or with the digits and symbols
/// people append to a listed word ("iloveyou2026!") taken off its end.
fn is_common(password: &str) -> bool {
    let lowered = password.to_lowercase();
    let stem = lowered.trim_end_matches(|c: char| !c.is_alphabetic());
    COMMON_PASSWORDS.contains(lowered.as_str())
        || (stem.chars().count() >= 4 && COMMON_PASSWORDS.contains(stem))
}

static HASHING_SLOTS: std::sync::LazyLock<tokio::sync::Semaphore> =
    std::sync::LazyLock::new(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from))
    });

pub(crate) async fn hash_password(password: &str) -> Result<String, AccountError> {
    let password = password.to_owned();
    let _slot = HASHING_SLOTS
        .acquire()
        .await
        .map_err(|_| AccountError::Hashing)?;
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|_| AccountError::Hashing)
    })
    .await
    .map_err(|_| AccountError::Hashing)?
}

/// Verifies a password against a stored PHC string; any malformed hash counts as a mismatch.
pub(crate) async fn verify_password(password: &str, stored_hash: &str) -> bool {
    let password = password.to_owned();
    let stored_hash = stored_hash.to_owned();
    let Ok(_slot) = HASHING_SLOTS.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored_hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

static TIMING_DECOY_HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

/// Spends the time of one real verification when the email is unknown, so that a wrong
/// email and a wrong password cannot be told apart by their timing.
pub(crate) async fn verify_against_decoy(password: &str) {
    let decoy = TIMING_DECOY_HASH
        .get_or_try_init(|| hash_password("decoy password never used"))
        .await;
    if let Ok(decoy) = decoy {
        verify_password(password, decoy).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_rejects_short_repetitive_and_email_passwords() {
        assert!(check_password_policy("short1", "a@b.org").is_err());
        assert!(check_password_policy("aaaaaaaaaaaa", "a@b.org").is_err());
        assert!(check_password_policy("dorjee-apricots-2026", "dorjee@b.org").is_err());
        assert!(check_password_policy("correct horse battery", "dorjee@b.org").is_ok());
    }

    #[test]
    fn policy_rejects_common_passwords_and_listed_words_with_a_suffix() {
        // All on the bundled list (or a listed word with digits appended).
        for common in [
            "qwertyuiop",
            "1q2w3e4r5t",
            "Password123",
            "iloveyou2026!",
            "sunshine-1999",
        ] {
            assert!(
                matches!(
                    check_password_policy(common, "dorjee@b.org"),
                    Err(AccountError::WeakPassword(_))
                ),
                "{common} should be refused"
            );
        }
        assert!(check_password_policy("apricot-harvest-2026", "dorjee@b.org").is_ok());
        assert_eq!(COMMON_PASSWORDS.len(), 19_640);
    }

    #[tokio::test]
    async fn hashes_verify_and_mismatch() -> Result<(), AccountError> {
        let hash = hash_password("correct horse battery").await?;
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash).await);
        assert!(!verify_password("wrong horse battery", &hash).await);
        assert!(!verify_password("anything", "not a hash").await);
        Ok(())
    }
}
