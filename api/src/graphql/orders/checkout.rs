//! Checkout: turning the cart into an order, with an institution's contract and
//! consignees.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use orders::OrderError;

use crate::graphql::{
    UserError, UserErrorCode,
    context::ContextExt,
    errors::{respond, top_error},
    ids::parse_id,
    orders::{Order, PaymentMethodValue, reload, shipping_address},
};

#[derive(InputObject, Clone, Debug)]
pub struct AddressInput {
    pub name: String,
    /// A 10-digit Indian mobile number, with or without +91.
    pub phone: String,
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    /// Six digits, consistent with the state.
    pub pin_code: String,
    /// GST state code of the delivery address, e.g. 38 (Ladakh), 07 (Delhi).
    pub state_code: String,
    /// The buyer's GSTIN, for a registered business buyer.
    pub gstin: Option<String>,
}

impl From<AddressInput> for orders::Address {
    fn from(a: AddressInput) -> Self {
        Self {
            name: a.name,
            phone: a.phone,
            line1: a.line1,
            line2: a.line2,
            city: a.city,
            pin_code: a.pin_code,
            state_code: a.state_code,
            gstin: a.gstin,
        }
    }
}

#[derive(InputObject)]
pub struct ConsigneeItemInput {
    pub variant_id: ID,
    pub quantity: i32,
}

#[derive(InputObject)]
pub struct ConsigneeInput {
    pub name: String,
    pub address: AddressInput,
    pub items: Vec<ConsigneeItemInput>,
}

/// What an institution adds: its contract and its consignees.
#[derive(InputObject)]
pub struct InstitutionalOrderInput {
    pub purchase_order_number: Option<String>,
    pub gem_contract_number: Option<String>,
    /// Days from the consignee's acceptance to payment; 10 (GeM's terms) by default.
    pub payment_terms_days: Option<i32>,
    pub consignees: Vec<ConsigneeInput>,
}

/// A visitor's contact for an order placed without an account.
#[derive(InputObject)]
pub struct GuestInput {
    /// Where the order's news goes; an account registered later with this email, once
    /// verified, can claim the order.
    pub email: String,
    /// A 10-digit Indian mobile number, with or without +91.
    pub phone: String,
}

#[derive(InputObject)]
pub struct PlaceOrderInput {
    pub cart_token: Option<String>,
    /// Chosen by the client, one per checkout attempt: repeating the call with the same
    /// key and cart returns the same order.
    pub idempotency_key: String,
    /// The delivery address (billing address for institutional orders). Give it or
    /// `shippingAddressId`, not both.
    pub shipping_address: Option<AddressInput>,
    /// One of the signed-in buyer's saved addresses (`myAddresses`), instead of
    /// `shippingAddress`.
    pub shipping_address_id: Option<ID>,
    pub payment_method: PaymentMethodValue,
    /// Required for institution accounts.
    pub institutional: Option<InstitutionalOrderInput>,
    /// Checkout without an account: the visitor's email and phone (with `cartToken`).
    /// Signed-in buyers leave it out.
    pub guest: Option<GuestInput>,
}

#[derive(SimpleObject)]
pub struct PlaceOrderPayload {
    pub order: Option<Order>,
    /// True when an earlier call with the same key created the order.
    pub replayed: bool,
    /// A guest order's access token: keep it to see the order with
    /// `order(id:, accessToken:)`. Shown once; a replay of the same call renews it.
    pub access_token: Option<String>,
    pub errors: Vec<UserError>,
}

/// The guest's contact with the email normalised as accounts normalise emails. An
/// email accounts refuse is passed on empty, for the checkout to report with every
/// other problem of the input at once.
fn guest_contact(guest: GuestInput) -> orders::GuestContact {
    orders::GuestContact {
        email: accounts::Email::parse(&guest.email)
            .map(|email| email.as_str().to_owned())
            .unwrap_or_default(),
        phone: guest.phone,
    }
}

impl TryFrom<InstitutionalOrderInput> for orders::InstitutionalTerms {
    type Error = OrderError;

    /// Names a bad variant id by its whole path from `placeOrder`'s input, which is
    /// where this input always sits.
    fn try_from(terms: InstitutionalOrderInput) -> Result<Self, OrderError> {
        let consignees = terms
            .consignees
            .into_iter()
            .enumerate()
            .map(|(index, c)| {
                let items = c
                    .items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        parse_id(
                            &format!("institutional.consignees.{index}.items.{i}.variantId"),
                            &item.variant_id,
                        )
                        .map(|variant_id| orders::ConsigneeItem {
                            variant_id,
                            quantity: item.quantity,
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(orders::ConsigneeInput {
                    name: c.name,
                    address: c.address.into(),
                    items,
                })
            })
            .collect::<Result<Vec<_>, OrderError>>()?;
        Ok(Self {
            purchase_order_number: terms.purchase_order_number,
            gem_contract_number: terms.gem_contract_number,
            payment_terms_days: terms.payment_terms_days,
            consignees,
        })
    }
}

#[derive(Default)]
pub struct CheckoutMutation;

#[Object]
impl CheckoutMutation {
    /// Turns the cart into an order: prices, availability, minimum quantities and stock
    /// are checked again (changes come back as errors, never silently applied), GST is
    /// worked out per line, the order is split per cooperative and its stock reserved.
    async fn place_order(
        &self,
        ctx: &Context<'_>,
        input: PlaceOrderInput,
    ) -> Result<PlaceOrderPayload> {
        let service = ctx.orders()?;
        let party = ctx.party()?;
        let institutional = input
            .institutional
            .map(orders::InstitutionalTerms::try_from)
            .transpose();
        let guest = input.guest.map(guest_contact);
        let address = shipping_address(
            service,
            &party,
            input.shipping_address,
            input.shipping_address_id.as_ref(),
        )
        .await;
        let result = match (institutional, address) {
            (Ok(institutional), Ok(address)) => {
                service
                    .place_order(
                        &party,
                        orders::PlaceOrder {
                            cart_token: input.cart_token,
                            idempotency_key: input.idempotency_key,
                            address,
                            payment_method: input.payment_method.into(),
                            institutional,
                            guest,
                        },
                    )
                    .await
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        let placed = match result {
            Ok(placed) => placed,
            Err(e) => {
                return respond(Err::<(), _>(e), |_, errors| PlaceOrderPayload {
                    order: None,
                    replayed: false,
                    access_token: None,
                    errors,
                });
            }
        };
        // A guest is not signed in: their order is read with the token just issued.
        let order = match &placed.access_token {
            Some(token) => service
                .order_by_access_token(placed.order_id, token)
                .await
                .map(Order),
            None => reload(ctx, placed.order_id).await,
        }
        .map_err(top_error)?;
        let errors = placed
            .payment_error
            .map(|message| {
                vec![UserError::new(
                    "paymentMethod",
                    UserErrorCode::PaymentProviderUnavailable,
                    message,
                )]
            })
            .unwrap_or_default();
        Ok(PlaceOrderPayload {
            order: Some(order),
            replayed: placed.replayed,
            access_token: placed.access_token,
            errors,
        })
    }
}
