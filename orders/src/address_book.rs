//! Signed-in buyers' address books: saved addresses (at most [`MAX_SAVED_ADDRESSES`]
//! per user), a default shipping and a default billing address, each checked exactly
//! as the checkout checks its `shippingAddress` (the PIN belongs to the State). A
//! checkout may name one of the buyer's own saved addresses instead of giving one.

use chrono::{DateTime, Utc};
use kernel::{FieldError, FieldErrorCode};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, SqlErr, sea_query::Expr,
};
use uuid::Uuid;

use crate::{Address, OrderError, OrderService, Party, entity::saved_address};

/// How many addresses one user may save: enough for home, work, family and a few
/// institutions' stores, few enough that the book is one short list (no paging).
pub const MAX_SAVED_ADDRESSES: usize = 20;
/// The longest label ("Home", "Office", "Mother's house").
pub const MAX_LABEL: usize = 50;

/// One saved address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedAddress {
    pub id: Uuid,
    pub label: Option<String>,
    pub address: Address,
    pub default_shipping: bool,
    pub default_billing: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What `addressCreate` and `addressUpdate` give. Left out (`None`): on create, no
/// label, and the default flags as the book needs (a user's first address becomes
/// both defaults); on update, unchanged. `address` is required on create.
#[derive(Debug, Clone, Default)]
pub struct SavedAddressInput {
    pub label: Option<String>,
    pub address: Option<Address>,
    pub default_shipping: Option<bool>,
    pub default_billing: Option<bool>,
}

fn view(model: saved_address::Model) -> SavedAddress {
    SavedAddress {
        id: model.id,
        label: model.label,
        address: Address {
            name: model.name,
            phone: model.phone,
            line1: model.line1,
            line2: model.line2,
            city: model.city,
            pin_code: model.pin_code,
            state_code: model.state_code,
            gstin: model.gstin,
        },
        default_shipping: model.default_shipping,
        default_billing: model.default_billing,
        created_at: model.created_at,
        updated_at: model.updated_at,
    }
}

/// The label trimmed (empty clears it), or its problem.
fn checked_label(label: Option<String>) -> Result<Option<String>, FieldError> {
    let label = label.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty());
    if label
        .as_ref()
        .is_some_and(|l| l.chars().count() > MAX_LABEL || l.chars().any(char::is_control))
    {
        return Err(FieldError::new(
            "label",
            FieldErrorCode::OutOfRange,
            format!("label must be at most {MAX_LABEL} characters without control characters"),
        ));
    }
    Ok(label)
}

/// The label and address of an input checked together, every problem at once; the
/// address's problems are named under `address`, as the input spells it.
fn checked(
    label: Option<String>,
    address: Option<Address>,
) -> Result<(Option<String>, Option<Address>), OrderError> {
    let mut problems = Vec::new();
    let label = checked_label(label).unwrap_or_else(|problem| {
        problems.push(problem);
        None
    });
    let address = match address.map(|a| a.checked("address")).transpose() {
        Ok(address) => address,
        Err(mut errors) => {
            problems.append(&mut errors);
            None
        }
    };
    if problems.is_empty() {
        Ok((label, address))
    } else {
        Err(OrderError::Invalid(problems))
    }
}

/// The two defaults' racing writers meet the partial unique indexes (or two adds the
/// slot index): the loser is told to try again, not shown an internal error.
fn raced(error: OrderError) -> OrderError {
    match error {
        OrderError::Db(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            OrderError::Conflict("the address book was changed at the same time; try again".into())
        }
        other => other,
    }
}

/// Exactly one of a checkout's `shippingAddress` and `shippingAddressId`: the given
/// address when it is the one (checked later with the rest of the request), `None`
/// when the saved one is to be looked up, or the problem (with the given address's own
/// problems when both were sent, so that the buyer hears everything at once).
pub fn exactly_one_address(
    given: Option<Address>,
    saved: bool,
) -> Result<Option<Address>, OrderError> {
    match (given, saved) {
        (Some(address), false) => Ok(Some(address)),
        (None, true) => Ok(None),
        (Some(address), true) => {
            let mut problems = vec![FieldError::new(
                "shippingAddressId",
                FieldErrorCode::NotAllowed,
                "give shippingAddress or shippingAddressId, not both",
            )];
            if let Err(mut errors) = address.checked("shippingAddress") {
                problems.append(&mut errors);
            }
            Err(OrderError::Invalid(problems))
        }
        (None, false) => Err(OrderError::invalid(
            "shippingAddress",
            FieldErrorCode::Required,
            "give a shippingAddress or the shippingAddressId of a saved address",
        )),
    }
}

impl OrderService {
    /// The caller's address book, oldest first.
    pub async fn saved_addresses(&self, party: &Party) -> Result<Vec<SavedAddress>, OrderError> {
        let user_id = party.require_purchaser()?;
        Ok(saved_address::Entity::find()
            .filter(saved_address::Column::UserId.eq(user_id))
            .order_by_asc(saved_address::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(view)
            .collect())
    }

    /// One of the caller's saved addresses, for a checkout; another user's is not
    /// found, as if it did not exist.
    pub async fn saved_address(&self, party: &Party, id: Uuid) -> Result<Address, OrderError> {
        let user_id = party.require_purchaser()?;
        Ok(view(own(&self.db, user_id, id).await?).address)
    }

    /// `addressCreate`.
    pub async fn create_saved_address(
        &self,
        party: &Party,
        input: SavedAddressInput,
    ) -> Result<SavedAddress, OrderError> {
        let user_id = party.require_purchaser()?;
        let (label, address) = checked(input.label, input.address)?;
        let Some(address) = address else {
            return Err(OrderError::invalid(
                "address",
                FieldErrorCode::Required,
                "address is required",
            ));
        };
        let txn = kernel::begin_write(&self.db).await?;
        let taken: Vec<i16> = saved_address::Entity::find()
            .select_only()
            .column(saved_address::Column::Slot)
            .filter(saved_address::Column::UserId.eq(user_id))
            .into_tuple()
            .all(&txn)
            .await?;
        let Some(slot) = (0..MAX_SAVED_ADDRESSES)
            .filter_map(|slot| i16::try_from(slot).ok())
            .find(|slot| !taken.contains(slot))
        else {
            return Err(OrderError::invalid(
                "address",
                FieldErrorCode::NotAllowed,
                format!(
                    "an address book holds at most {MAX_SAVED_ADDRESSES} addresses: delete one first"
                ),
            ));
        };
        // The first address is where the buyer ships and bills unless they say not.
        let first = taken.is_empty();
        let default_shipping = input.default_shipping.unwrap_or(first);
        let default_billing = input.default_billing.unwrap_or(first);
        let id = Uuid::now_v7();
        let result = async {
            clear_defaults(&txn, user_id, id, default_shipping, default_billing).await?;
            let now = Utc::now();
            saved_address::Entity::insert(saved_address::ActiveModel {
                id: Set(id),
                user_id: Set(user_id),
                slot: Set(slot),
                label: Set(label),
                name: Set(address.name),
                phone: Set(address.phone),
                line1: Set(address.line1),
                line2: Set(address.line2),
                city: Set(address.city),
                pin_code: Set(address.pin_code),
                state_code: Set(address.state_code),
                gstin: Set(address.gstin),
                default_shipping: Set(default_shipping),
                default_billing: Set(default_billing),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec_without_returning(&txn)
            .await?;
            own(&txn, user_id, id).await
        }
        .await
        .map_err(raced)?;
        txn.commit().await.map_err(|e| raced(e.into()))?;
        Ok(view(result))
    }

    /// `addressUpdate`: what the input gives replaces what was saved.
    pub async fn update_saved_address(
        &self,
        party: &Party,
        id: Uuid,
        input: SavedAddressInput,
    ) -> Result<SavedAddress, OrderError> {
        let user_id = party.require_purchaser()?;
        let label_given = input.label.is_some();
        let (label, address) = checked(input.label, input.address)?;
        let txn = kernel::begin_write(&self.db).await?;
        let current = own(&txn, user_id, id).await?;
        let default_shipping = input.default_shipping.unwrap_or(current.default_shipping);
        let default_billing = input.default_billing.unwrap_or(current.default_billing);
        let result = async {
            clear_defaults(&txn, user_id, id, default_shipping, default_billing).await?;
            let mut row: saved_address::ActiveModel = current.into();
            if label_given {
                row.label = Set(label);
            }
            if let Some(address) = address {
                row.name = Set(address.name);
                row.phone = Set(address.phone);
                row.line1 = Set(address.line1);
                row.line2 = Set(address.line2);
                row.city = Set(address.city);
                row.pin_code = Set(address.pin_code);
                row.state_code = Set(address.state_code);
                row.gstin = Set(address.gstin);
            }
            row.default_shipping = Set(default_shipping);
            row.default_billing = Set(default_billing);
            row.updated_at = Set(Utc::now());
            saved_address::Entity::update(row).exec(&txn).await?;
            own(&txn, user_id, id).await
        }
        .await
        .map_err(raced)?;
        txn.commit().await.map_err(|e| raced(e.into()))?;
        Ok(view(result))
    }

    /// `addressDelete`. A deleted default leaves the book without that default: which
    /// address should replace it is the buyer's choice, not a guess.
    pub async fn delete_saved_address(&self, party: &Party, id: Uuid) -> Result<(), OrderError> {
        let user_id = party.require_purchaser()?;
        let deleted = saved_address::Entity::delete_many()
            .filter(saved_address::Column::Id.eq(id))
            .filter(saved_address::Column::UserId.eq(user_id))
            .exec(&self.db)
            .await?;
        if deleted.rows_affected == 0 {
            return Err(OrderError::NotFound("saved address"));
        }
        Ok(())
    }
}

/// The user's own saved address `id`.
async fn own(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    id: Uuid,
) -> Result<saved_address::Model, OrderError> {
    saved_address::Entity::find_by_id(id)
        .filter(saved_address::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or(OrderError::NotFound("saved address"))
}

/// Takes the defaults `keep` is about to hold from the user's other addresses.
async fn clear_defaults(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    keep: Uuid,
    shipping: bool,
    billing: bool,
) -> Result<(), OrderError> {
    for (wanted, column) in [
        (shipping, saved_address::Column::DefaultShipping),
        (billing, saved_address::Column::DefaultBilling),
    ] {
        if wanted {
            saved_address::Entity::update_many()
                .col_expr(column, Expr::value(false))
                .filter(saved_address::Column::UserId.eq(user_id))
                .filter(saved_address::Column::Id.ne(keep))
                .filter(column.eq(true))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leh() -> Address {
        Address {
            name: "Tsering Dolma".into(),
            phone: "98765 43210".into(),
            line1: "Main Bazaar".into(),
            line2: None,
            city: "Leh".into(),
            pin_code: "194101".into(),
            state_code: "38".into(),
            gstin: None,
        }
    }

    fn fields(error: OrderError) -> Vec<String> {
        match error {
            OrderError::Invalid(problems) => problems.iter().map(|p| p.field.join(".")).collect(),
            other => vec![other.to_string()],
        }
    }

    #[test]
    fn a_checkout_names_exactly_one_address() {
        assert_eq!(
            exactly_one_address(Some(leh()), false).ok().flatten(),
            Some(leh())
        );
        assert!(matches!(exactly_one_address(None, true), Ok(None)));
        let neither = exactly_one_address(None, false).err().map(fields);
        assert_eq!(neither, Some(vec!["shippingAddress".to_owned()]));
        let bad = Address {
            pin_code: "110001".into(),
            ..leh()
        };
        let both = exactly_one_address(Some(bad), true).err().map(fields);
        assert_eq!(
            both,
            Some(vec![
                "shippingAddressId".to_owned(),
                "shippingAddress.pinCode".to_owned()
            ])
        );
    }

    #[test]
    fn labels_are_trimmed_and_bounded() {
        assert_eq!(
            checked_label(Some("  Home ".into())),
            Ok(Some("Home".into()))
        );
        assert_eq!(checked_label(Some("   ".into())), Ok(None));
        assert!(checked_label(Some("x".repeat(MAX_LABEL + 1))).is_err());
        assert!(checked_label(Some("a\u{7}b".into())).is_err());
    }
}
