//! A signed-in buyer's address book: saved addresses with a default shipping and a
//! default billing address, which `placeOrder` and `checkoutQuote` accept by id.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::{
    UserError,
    context::ContextExt,
    errors::{respond, top_error},
    ids::parse_id,
    orders::{AddressInput, AddressObject},
};

/// An address in the caller's address book.
pub struct SavedAddress(orders::SavedAddress);

#[Object]
impl SavedAddress {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The buyer's name for it ("Home", "Office").
    async fn label(&self) -> Option<&str> {
        self.0.label.as_deref()
    }
    async fn address(&self) -> AddressObject {
        self.0.address.clone().into()
    }
    /// Where the buyer ships unless they choose otherwise (at most one address).
    async fn is_default_shipping(&self) -> bool {
        self.0.default_shipping
    }
    /// Where the buyer is billed unless they choose otherwise (at most one address).
    async fn is_default_billing(&self) -> bool {
        self.0.default_billing
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

#[derive(InputObject)]
pub struct AddressCreateInput {
    /// At most 50 characters.
    pub label: Option<String>,
    /// Checked as `placeOrder`'s `shippingAddress` is.
    pub address: AddressInput,
    /// Make it the default shipping address (taking the default from another). Left
    /// out, a buyer's first address becomes the default.
    pub default_shipping: Option<bool>,
    /// Make it the default billing address; left out, as `defaultShipping`.
    pub default_billing: Option<bool>,
}

#[derive(InputObject)]
pub struct AddressUpdateInput {
    pub id: ID,
    /// A new label; an empty one clears it; left out, unchanged.
    pub label: Option<String>,
    /// The whole address anew; left out, unchanged.
    pub address: Option<AddressInput>,
    /// True makes it the default shipping address, false stops it being the default;
    /// left out, unchanged.
    pub default_shipping: Option<bool>,
    /// As `defaultShipping`, for billing.
    pub default_billing: Option<bool>,
}

#[derive(InputObject)]
pub struct AddressDeleteInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct SavedAddressPayload {
    pub saved_address: Option<SavedAddress>,
    pub errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct AddressDeletePayload {
    pub deleted_id: Option<ID>,
    pub errors: Vec<UserError>,
}

#[derive(Default)]
pub struct AddressBookQuery;

#[Object]
impl AddressBookQuery {
    /// The signed-in buyer's saved addresses, oldest first (at most 20).
    async fn my_addresses(&self, ctx: &Context<'_>) -> Result<Vec<SavedAddress>> {
        Ok(ctx
            .orders()?
            .saved_addresses(&ctx.party()?)
            .await
            .map_err(top_error)?
            .into_iter()
            .map(SavedAddress)
            .collect())
    }
}

#[derive(Default)]
pub struct AddressBookMutation;

#[Object]
impl AddressBookMutation {
    /// Saves an address in the caller's address book (at most 20).
    async fn address_create(
        &self,
        ctx: &Context<'_>,
        input: AddressCreateInput,
    ) -> Result<SavedAddressPayload> {
        let result = ctx
            .orders()?
            .create_saved_address(
                &ctx.party()?,
                orders::SavedAddressInput {
                    label: input.label,
                    address: Some(input.address.into()),
                    default_shipping: input.default_shipping,
                    default_billing: input.default_billing,
                },
            )
            .await;
        respond(result, |saved, errors| SavedAddressPayload {
            saved_address: saved.map(SavedAddress),
            errors,
        })
    }

    /// Changes one of the caller's saved addresses; another user's is not found.
    async fn address_update(
        &self,
        ctx: &Context<'_>,
        input: AddressUpdateInput,
    ) -> Result<SavedAddressPayload> {
        let id = parse_id("id", &input.id)?;
        let result = ctx
            .orders()?
            .update_saved_address(
                &ctx.party()?,
                id,
                orders::SavedAddressInput {
                    label: input.label,
                    address: input.address.map(Into::into),
                    default_shipping: input.default_shipping,
                    default_billing: input.default_billing,
                },
            )
            .await;
        respond(result, |saved, errors| SavedAddressPayload {
            saved_address: saved.map(SavedAddress),
            errors,
        })
    }

    /// Deletes one of the caller's saved addresses; orders placed to it keep their
    /// copy of it.
    async fn address_delete(
        &self,
        ctx: &Context<'_>,
        input: AddressDeleteInput,
    ) -> Result<AddressDeletePayload> {
        let id = parse_id("id", &input.id)?;
        let result = ctx.orders()?.delete_saved_address(&ctx.party()?, id).await;
        respond(result, |deleted, errors| AddressDeletePayload {
            deleted_id: deleted.map(|()| ID(id.to_string())),
            errors,
        })
    }
}

/// `shippingAddress` or `shippingAddressId` (exactly one) as the address to deliver
/// to: a saved address must be the caller's own.
pub(crate) async fn shipping_address(
    service: &orders::OrderService,
    party: &orders::Party,
    given: Option<AddressInput>,
    saved: Option<&ID>,
) -> Result<orders::Address, orders::OrderError> {
    match orders::exactly_one_address(given.map(Into::into), saved.is_some())? {
        Some(address) => Ok(address),
        None => match saved {
            Some(id) => {
                let id = parse_id("shippingAddressId", id)?;
                service.saved_address(party, id).await
            }
            None => Err(orders::OrderError::invalid(
                "shippingAddress",
                kernel::FieldErrorCode::Required,
                "shippingAddress is required",
            )),
        },
    }
}
