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
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cooperative_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cooperative_role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_organisation_id: Option<Uuid>,
}

/// Who is making a request, as proven by a valid access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: Uuid,
    pub role: Role,
    pub cooperative_id: Option<Uuid>,
    pub cooperative_role: Option<CooperativeRole>,
    pub buyer_organisation_id: Option<Uuid>,
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
        }
    }

    pub fn settings(&self) -> &JwtSettings {
        &self.settings
    }

    /// Issues an access token for a user.
    pub fn issue(&self, user: &User) -> Result<AccessToken, TokenError> {
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
            id: Uuid::now_v7(),
            email: "dolma@example.org".into(),
            name: "Dolma".into(),
            role: Role::Buyer,
            cooperative_id: None,
            cooperative_role: None,
            buyer_organisation_id: None,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn a_token_round_trips_to_its_viewer() -> Result<(), TokenError> {
        let tokens = service(&[7; 32], "ladakh-market-api");
        let user = buyer();
        let viewer = tokens.verify(&tokens.issue(&user)?.token)?;
        assert_eq!(viewer.user_id, user.id);
        assert_eq!(viewer.role, Role::Buyer);
        Ok(())
    }

    #[test]
    fn another_secret_or_audience_is_refused() -> Result<(), TokenError> {
        let issued = service(&[7; 32], "ladakh-market-api").issue(&buyer())?;
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
