//! Access tokens: short-lived HS256 JWTs carrying the viewer's id and roles.
//!
//! Decoding accepts exactly one algorithm (HS256), so `alg: none` and algorithm
//! confusion are refused before the signature is even looked at, and it requires
//! `exp`, `iat`, `nbf`, `iss`, `aud` and `sub`.

use accounts::{CooperativeRole, Role, User};
use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::settings::JwtSettings;

const ALGORITHM: Algorithm = Algorithm::HS256;

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: Uuid,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    pub jti: Uuid,
    /// The session (refresh-token family) the token belongs to, checked on every request.
    pub sid: Uuid,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cooperative_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cooperative_role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_organisation_id: Option<Uuid>,
}

/// Who is making a request, as proven by a valid access token of a live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: Uuid,
    /// The session (refresh-token family) the access token belongs to.
    pub session_id: Uuid,
    pub role: Role,
    pub cooperative_id: Option<Uuid>,
    pub cooperative_role: Option<CooperativeRole>,
    pub buyer_organisation_id: Option<Uuid>,
}

impl Viewer {
    /// The viewer a session of `user` proves, with the user's standing as it is now.
    pub fn of_user(user: &User, session_id: Uuid) -> Self {
        Self {
            user_id: user.id,
            session_id,
            role: user.role,
            cooperative_id: user.cooperative_id,
            cooperative_role: user.cooperative_role,
            buyer_organisation_id: user.buyer_organisation_id,
        }
    }
}

/// How long the per-request session check may be answered from memory. Another
/// replica's logout or role change shows within this time; this process's own changes
/// clear the cache at once.
pub const SESSION_CHECK_TTL: std::time::Duration = std::time::Duration::from_secs(2);
const SESSION_CACHE_ENTRIES: usize = 10_000;

/// The answers of recent session checks, by session id: the viewer as the database
/// showed them, or `None` for a session that is no longer live.
pub struct SessionCache {
    entries: std::sync::Mutex<lru::LruCache<Uuid, (std::time::Instant, Option<Viewer>)>>,
}

impl std::fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionCache").finish_non_exhaustive()
    }
}

impl Default for SessionCache {
    fn default() -> Self {
        let capacity = std::num::NonZeroUsize::new(SESSION_CACHE_ENTRIES)
            .unwrap_or(std::num::NonZeroUsize::MIN);
        Self {
            entries: std::sync::Mutex::new(lru::LruCache::new(capacity)),
        }
    }
}

impl SessionCache {
    fn get(&self, session_id: Uuid) -> Option<Option<Viewer>> {
        let mut entries = self.entries.lock().ok()?;
        match entries.get(&session_id) {
            Some((at, viewer)) if at.elapsed() < SESSION_CHECK_TTL => Some(viewer.clone()),
            Some(_) => {
                entries.pop(&session_id);
                None
            }
            None => None,
        }
    }

    fn put(&self, session_id: Uuid, viewer: Option<Viewer>) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.put(session_id, (std::time::Instant::now(), viewer));
        }
    }

    /// Forgets every answer: called after anything that ends sessions or changes a
    /// user's standing, so that this process applies it at the very next request.
    pub fn invalidate(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

/// Why a presented access token was refused.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("access token has expired")]
    Expired,
    #[error("access token is not valid")]
    Invalid,
    #[error("access token could not be signed")]
    Signing,
}

/// A signed access token and its expiry.
#[derive(Debug, Clone)]
pub struct AccessToken {
    pub token: String,
    pub expires_at: chrono::DateTime<Utc>,
}

/// Mints and checks access tokens with one secret.
#[derive(Clone)]
pub struct TokenService {
    encoding_key: EncodingKey,
    decoding_key: DecodingKey,
    validation: Validation,
    settings: JwtSettings,
    sessions: std::sync::Arc<SessionCache>,
}

impl std::fmt::Debug for TokenService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenService")
            .field("settings", &self.settings)
            .finish()
    }
}

impl TokenService {
    pub fn new(settings: JwtSettings) -> Self {
        let mut validation = Validation::new(ALGORITHM);
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.validate_nbf = true;
        validation.leeway = 5;
        validation.required_spec_claims = ["exp", "iat", "nbf", "iss", "aud", "sub"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        Self {
            encoding_key: EncodingKey::from_secret(&settings.secret),
            decoding_key: DecodingKey::from_secret(&settings.secret),
            validation,
            settings,
            sessions: std::sync::Arc::default(),
        }
    }

    /// The cache of per-request session checks.
    pub fn sessions(&self) -> &SessionCache {
        &self.sessions
    }

    /// The viewer of a verified token if its session is still live, with the user's
    /// standing as the database has it now (cached for at most [`SESSION_CHECK_TTL`]).
    pub async fn live_viewer(
        &self,
        db: &sea_orm::DatabaseConnection,
        token: &Viewer,
    ) -> Result<Option<Viewer>, accounts::AccountError> {
        if let Some(cached) = self.sessions.get(token.session_id) {
            return Ok(cached.filter(|viewer| viewer.user_id == token.user_id));
        }
        let viewer = accounts::live_session_user(db, token.user_id, token.session_id)
            .await?
            .map(|user| Viewer::of_user(&user, token.session_id));
        self.sessions.put(token.session_id, viewer.clone());
        Ok(viewer)
    }

    pub fn settings(&self) -> &JwtSettings {
        &self.settings
    }

    /// Issues an access token for a user's session.
    pub fn issue(&self, user: &User, session_id: Uuid) -> Result<AccessToken, TokenError> {
        let now = Utc::now();
        let expires_at = now + self.settings.access_token_lifetime;
        let claims = Claims {
            sub: user.id,
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
            exp: expires_at.timestamp(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            jti: Uuid::now_v7(),
            sid: session_id,
            role: user.role.as_str().to_owned(),
            cooperative_id: user.cooperative_id,
            cooperative_role: user.cooperative_role.map(|role| role.as_str().to_owned()),
            buyer_organisation_id: user.buyer_organisation_id,
        };
        let token = encode(&Header::new(ALGORITHM), &claims, &self.encoding_key)
            .map_err(|_| TokenError::Signing)?;
        Ok(AccessToken { token, expires_at })
    }

    /// Checks a presented token and returns the viewer it proves.
    pub fn verify(&self, token: &str) -> Result<Viewer, TokenError> {
        let data =
            decode::<Claims>(token, &self.decoding_key, &self.validation).map_err(|error| {
                match error.kind() {
                    jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                    _ => TokenError::Invalid,
                }
            })?;
        let claims = data.claims;
        Ok(Viewer {
            user_id: claims.sub,
            session_id: claims.sid,
            role: claims.role.parse().map_err(|_| TokenError::Invalid)?,
            cooperative_id: claims.cooperative_id,
            cooperative_role: claims
                .cooperative_role
                .map(|role| role.parse())
                .transpose()
                .map_err(|_| TokenError::Invalid)?,
            buyer_organisation_id: claims.buyer_organisation_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(secret: &[u8], audience: &str) -> TokenService {
        TokenService::new(JwtSettings {
            secret: secret.to_vec(),
            issuer: "ladakh-market".into(),
            audience: audience.into(),
            access_token_lifetime: chrono::Duration::minutes(15),
            refresh_token_lifetime: chrono::Duration::days(30),
        })
    }

    fn buyer() -> User {
        User {
            language: notifications::Language::default(),
            email_verified_at: None,
            id: Uuid::now_v7(),
            email: "dolma@example.org".into(),
            name: "Dolma".into(),
            role: Role::Buyer,
            cooperative_id: None,
            cooperative_role: None,
            buyer_organisation_id: None,
            suspended_at: None,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn a_token_round_trips_to_its_viewer() -> Result<(), TokenError> {
        let tokens = service(&[7; 32], "ladakh-market-api");
        let user = buyer();
        let viewer = tokens.verify(&tokens.issue(&user, Uuid::now_v7())?.token)?;
        assert_eq!(viewer.user_id, user.id);
        assert_eq!(viewer.role, Role::Buyer);
        Ok(())
    }

    #[test]
    fn another_secret_or_audience_is_refused() -> Result<(), TokenError> {
        let issued = service(&[7; 32], "ladakh-market-api").issue(&buyer(), Uuid::now_v7())?;
        assert!(
            service(&[8; 32], "ladakh-market-api")
                .verify(&issued.token)
                .is_err()
        );
        assert!(
            service(&[7; 32], "someone-else")
                .verify(&issued.token)
                .is_err()
        );
        Ok(())
    }
}
