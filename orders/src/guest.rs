//! Guest checkout's side of orders: the buyer id a guest's orders are recorded under,
//! the access token a guest views an order with (only its SHA-256 is stored), and
//! claiming: attaching a guest's orders to the account later registered with the same
//! email.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Utc;
use rand::RngCore;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{OrderError, OrderService, entity::order, records::OrderView, store};

/// A guest's contact details as given at checkout. The email is normalised by the
/// caller as accounts normalise emails (NFKC, lower case), so that claiming compares
/// like with like.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GuestContact {
    pub email: String,
    pub phone: String,
}

/// The longest email accepted (RFC 5321's path limit, as accounts use).
pub const MAX_GUEST_EMAIL: usize = 254;

/// The buyer id a guest's orders carry until claimed: one per email, so that a guest's
/// idempotency keys are theirs alone and never meet another guest's.
pub fn guest_buyer_id(email: &str) -> Uuid {
    let digest = Sha256::digest(format!("ladakh-market guest buyer {email}"));
    let mut bytes = [0_u8; 16];
    for (byte, digested) in bytes.iter_mut().zip(digest.iter()) {
        *byte = *digested;
    }
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// A new unguessable access token (256 random bits) and the hash stored for it.
pub(crate) fn new_access_token() -> (String, String) {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl OrderService {
    /// The guest order `token` opens, whole; any other id or token is not found (the
    /// same answer either way, so ids and tokens cannot be probed apart).
    pub async fn order_by_access_token(
        &self,
        order_id: Uuid,
        token: &str,
    ) -> Result<OrderView, OrderError> {
        if token.is_empty() || token.len() > 100 {
            return Err(OrderError::NotFound("order"));
        }
        let Some(order) = order::Entity::find_by_id(order_id)
            .filter(order::Column::AccessTokenHash.eq(hash_token(token)))
            .one(&self.db)
            .await?
        else {
            return Err(OrderError::NotFound("order"));
        };
        let mut views = store::assemble(&self.db, vec![order], None).await?;
        views.pop().ok_or(OrderError::NotFound("order"))
    }

    /// A replayed guest checkout gets a fresh token (the first answer may have been
    /// lost, and only the hash is kept); the earlier token stops working.
    pub(crate) async fn renew_access_token(&self, order_id: Uuid) -> Result<String, OrderError> {
        let (token, hash) = new_access_token();
        order::Entity::update_many()
            .col_expr(order::Column::AccessTokenHash, Some(hash).into())
            .col_expr(order::Column::UpdatedAt, Utc::now().into())
            .filter(order::Column::Id.eq(order_id))
            .filter(order::Column::GuestEmail.is_not_null())
            .exec(&self.db)
            .await?;
        Ok(token)
    }

    /// Attaches the guest orders placed with `email` to the account `buyer_user_id`,
    /// which then sees them among its orders; returns how many. `email` is normalised
    /// as accounts normalise it.
    ///
    /// Call it only once the account has *verified* that it owns `email`: the orders
    /// show the guest's address and phone, so an unverified claim would hand them to
    /// whoever registered the address first. An order whose idempotency key the account
    /// already used stays a guest order (still open with its access token), because
    /// keys are unique per buyer.
    pub async fn claim_guest_orders(
        &self,
        buyer_user_id: Uuid,
        email: &str,
    ) -> Result<u64, OrderError> {
        let guest_id = guest_buyer_id(email);
        let txn = kernel::begin_write(&self.db).await?;
        let guest_orders = order::Entity::find()
            .filter(order::Column::BuyerUserId.eq(guest_id))
            .filter(order::Column::GuestEmail.eq(email))
            .all(&txn)
            .await?;
        let mut claimed = 0_u64;
        for guest_order in guest_orders {
            let taken = order::Entity::find()
                .filter(order::Column::BuyerUserId.eq(buyer_user_id))
                .filter(order::Column::IdempotencyKey.eq(guest_order.idempotency_key.as_str()))
                .one(&txn)
                .await?
                .is_some();
            if taken {
                continue;
            }
            let updated = order::Entity::update_many()
                .col_expr(order::Column::BuyerUserId, buyer_user_id.into())
                .col_expr(order::Column::UpdatedAt, Utc::now().into())
                .filter(order::Column::Id.eq(guest_order.id))
                .filter(order::Column::BuyerUserId.eq(guest_id))
                .exec(&txn)
                .await?;
            claimed = claimed.saturating_add(updated.rows_affected);
        }
        txn.commit().await?;
        Ok(claimed)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait, Schema};
    use uuid::Uuid;

    use super::*;
    use crate::{
        OrderKind, OrderSettings, OrderStatus, PaymentMethod, PaymentProvider, RateSchedule,
        ShippingRates,
    };

    async fn service() -> Result<OrderService, Box<dyn std::error::Error>> {
        let db = Database::connect("sqlite::memory:").await?;
        let backend = db.get_database_backend();
        db.execute(&Schema::new(backend).create_table_from_entity(order::Entity))
            .await?;
        Ok(OrderService::new(
            db,
            RateSchedule::built_in()?,
            ShippingRates::built_in()?,
            OrderSettings::default(),
            Vec::new(),
            std::sync::Arc::new(Nobody),
        ))
    }

    /// No one to write to: these tests place no orders through the service.
    #[derive(Debug)]
    struct Nobody;

    #[async_trait::async_trait]
    impl notifications::Directory for Nobody {
        async fn user(
            &self,
            _db: &sea_orm::DatabaseTransaction,
            _user_id: Uuid,
        ) -> Result<Option<notifications::Recipient>, sea_orm::DbErr> {
            Ok(None)
        }

        async fn cooperative_staff(
            &self,
            _db: &sea_orm::DatabaseTransaction,
            _cooperative_id: Uuid,
        ) -> Result<Vec<notifications::Recipient>, sea_orm::DbErr> {
            Ok(Vec::new())
        }
    }

    async fn insert(
        db: &DatabaseConnection,
        buyer: Uuid,
        key: &str,
        guest_email: Option<&str>,
    ) -> Result<Uuid, Box<dyn std::error::Error>> {
        let id = Uuid::now_v7();
        let now = Utc::now();
        let model = order::Model {
            id,
            number: format!("LM-TEST-{key}"),
            kind: OrderKind::Retail,
            status: OrderStatus::Confirmed,
            buyer_user_id: buyer,
            buyer_organisation_id: None,
            idempotency_key: key.into(),
            request_fingerprint: "f".into(),
            currency: "INR".into(),
            shipping_address: serde_json::json!({}),
            place_of_supply: "38".into(),
            goods_paise: 100,
            shipping_paise: 0,
            taxable_paise: 100,
            cgst_paise: 0,
            sgst_paise: 0,
            utgst_paise: 0,
            igst_paise: 0,
            total_paise: 100,
            refunded_paise: 0,
            payment_method: PaymentMethod::CashOnDelivery,
            payment_provider: PaymentProvider::Manual,
            payment_reference: None,
            payment_client_secret: None,
            payment_received_paise: 0,
            paid_at: None,
            payment_issue: None,
            payment_failure: None,
            payment_instructions: None,
            reservation_expires_at: None,
            purchase_order_number: None,
            gem_contract_number: None,
            payment_terms_days: None,
            source_channel: None,
            guest_email: guest_email.map(str::to_owned),
            guest_phone: guest_email.map(|_| "+919876543210".to_owned()),
            access_token_hash: guest_email.map(|_| "00".to_owned()),
            created_at: now,
            updated_at: now,
        };
        order::Entity::insert(order::ActiveModel::from(model))
            .exec(db)
            .await?;
        Ok(id)
    }

    async fn buyer_of(db: &DatabaseConnection, id: Uuid) -> Option<Uuid> {
        order::Entity::find_by_id(id)
            .one(db)
            .await
            .ok()
            .flatten()
            .map(|o| o.buyer_user_id)
    }

    #[tokio::test]
    async fn a_verified_account_claims_the_guest_orders_of_its_email()
    -> Result<(), Box<dyn std::error::Error>> {
        let service = service().await?;
        let db = service.db().clone();
        let email = "guest@example.org";
        let guest = guest_buyer_id(email);
        let account = Uuid::now_v7();
        let first = insert(&db, guest, "k-1", Some(email)).await?;
        let second = insert(&db, guest, "k-2", Some(email)).await?;
        // The account already used key k-2: that guest order stays a guest order.
        let own = insert(&db, account, "k-2", None).await?;
        let stranger = guest_buyer_id("someone@example.org");
        let theirs = insert(&db, stranger, "k-1", Some("someone@example.org")).await?;

        assert_eq!(service.claim_guest_orders(account, email).await?, 1);
        assert_eq!(buyer_of(&db, first).await, Some(account));
        assert_eq!(buyer_of(&db, second).await, Some(guest));
        assert_eq!(buyer_of(&db, own).await, Some(account));
        assert_eq!(buyer_of(&db, theirs).await, Some(stranger));
        // Claiming again finds nothing more.
        assert_eq!(service.claim_guest_orders(account, email).await?, 0);
        Ok(())
    }

    /// Guest buyer ids are stored on orders, so they must never change. Computed outside
    /// this code with Python: `uuid.UUID(bytes=hashlib.sha256(b"ladakh-market guest
    /// buyer guest@example.org").digest()[:16], version=4)`.
    #[test]
    fn guest_buyer_ids_are_one_per_email() {
        assert_ne!(
            guest_buyer_id("guest@example.org"),
            guest_buyer_id("other@example.org")
        );
        assert_eq!(
            guest_buyer_id("guest@example.org").to_string(),
            GUEST_ID_OF_GUEST_AT_EXAMPLE_ORG
        );
    }

    const GUEST_ID_OF_GUEST_AT_EXAMPLE_ORG: &str = "5f9a4de9-8d50-46d3-9f87-b1ba57d6ca1f";
}
