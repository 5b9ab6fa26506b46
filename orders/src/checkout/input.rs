//! Checking a checkout request before anything is planned or stored: the idempotency
//! key, the addresses, institutional terms and consignees, the payment method, and
//! each cart line against today's catalogue. Pure functions over the request and the
//! lines read for it.

use std::collections::BTreeMap;

use kernel::{FieldError, FieldErrorCode};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    Address, OrderError, Party, PaymentMethod, PaymentProvider,
    address::indian_mobile,
    cart::{self, CartLine},
    checkout::{
        issues::{LineIssue, LineIssueKind},
        plan::{Allocation, PlanItem},
    },
    guest::{GuestContact, MAX_GUEST_EMAIL},
};

/// The input field a problem with the cart or one of its lines is reported on.
/// `placeOrder`'s input names the cart by `cartToken` (or the session) and has no
/// lines of its own, so a line's problem names its SKU in the message; `checkoutQuote`
/// lists problems line by line.
pub(crate) const CART_FIELD: &str = "cartToken";

/// The longest idempotency key accepted.
pub const MAX_IDEMPOTENCY_KEY: usize = 100;
/// GeM's terms: payment within 10 days of the consignee's acceptance (CRAC).
pub const DEFAULT_PAYMENT_TERMS_DAYS: i32 = 10;

/// GeM's general terms: payment is due 10 days after the consignee's CRAC, whatever
/// the buyer would prefer (gem.gov.in/news/view_news/304).
pub const GEM_PAYMENT_DAYS_AFTER_CRAC: i32 = 10;

/// A consignee of an institutional order and what it receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsigneeInput {
    pub name: String,
    pub address: Address,
    pub items: Vec<ConsigneeItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ConsigneeItem {
    pub variant_id: Uuid,
    pub quantity: i32,
}

/// What an institution adds to an order: its contract and where the goods go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstitutionalTerms {
    pub purchase_order_number: Option<String>,
    pub gem_contract_number: Option<String>,
    pub payment_terms_days: Option<i32>,
    pub consignees: Vec<ConsigneeInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaceOrder {
    #[serde(skip)]
    pub cart_token: Option<String>,
    #[serde(skip)]
    pub idempotency_key: String,
    /// Delivery address of a retail order; billing address of an institutional one.
    pub address: Address,
    #[serde(serialize_with = "serialize_method")]
    pub payment_method: PaymentMethod,
    pub institutional: Option<InstitutionalTerms>,
    /// A guest's contact, for an order placed without an account.
    pub guest: Option<GuestContact>,
}

fn serialize_method<S: serde::Serializer>(
    method: &PaymentMethod,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(method.as_str())
}

/// The result of `placeOrder`.
#[derive(Debug, Clone)]
pub struct PlacedOrder {
    pub order_id: Uuid,
    /// An earlier call with the same idempotency key created the order.
    pub replayed: bool,
    /// The order exists but the payment provider could not be reached; repeating the
    /// call with the same key tries again.
    pub payment_error: Option<String>,
    /// A guest order's access token, for `order(id, accessToken)`: shown once (a
    /// replay renews it), stored only as its hash.
    pub access_token: Option<String>,
}

/// An order that arrived from a sales channel (NCUI Haat, GeM).
#[derive(Debug, Clone)]
pub struct ChannelOrder {
    /// The channel's name, e.g. `GEM`.
    pub channel: String,
    /// The channel's own id for the order: orders are de-duplicated by it.
    pub channel_order_id: String,
    /// Variant, quantity and the unit price the channel sold at (tax included).
    pub lines: Vec<(Uuid, i32, i64)>,
    pub address: Address,
    pub payment_method: PaymentMethod,
    pub institutional: Option<InstitutionalTerms>,
}

/// The buyer recorded on a channel's orders: one fixed id per channel, no user account.
pub fn channel_buyer_id(channel: &str) -> Uuid {
    let digest = Sha256::digest(format!("ladakh-market channel buyer {channel}"));
    let mut bytes = [0_u8; 16];
    for (byte, digested) in bytes.iter_mut().zip(digest.iter()) {
        *byte = *digested;
    }
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

pub(crate) fn check_key(key: &str) -> Result<(), OrderError> {
    let ok = !key.is_empty()
        && key.len() <= MAX_IDEMPOTENCY_KEY
        && key.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(OrderError::invalid(
            "idempotencyKey",
            FieldErrorCode::Invalid,
            format!("idempotencyKey must be 1 to {MAX_IDEMPOTENCY_KEY} printable ASCII characters"),
        ))
    }
}

/// What an idempotency key stands for: the request and the quantities ordered.
pub(crate) fn fingerprint(input: &PlaceOrder, lines: &[(Uuid, i32)]) -> Result<String, OrderError> {
    let mut sorted = lines.to_vec();
    sorted.sort();
    let body = serde_json::to_vec(&(input, sorted)).map_err(OrderError::corrupt)?;
    Ok(hex::encode(Sha256::digest(body)))
}

/// A buyer's request with its address and terms normalised, or every problem with it.
/// `configured`: whether a payment provider is configured, for the methods it settles.
pub(crate) fn checked_input(
    party: &Party,
    mut input: PlaceOrder,
    configured: impl Fn(PaymentProvider) -> bool,
) -> Result<PlaceOrder, OrderError> {
    let mut problems: Vec<FieldError> = Vec::new();
    // The path spells the GraphQL input's field.
    match input.address.clone().checked("shippingAddress") {
        Ok(address) => input.address = address,
        Err(mut errors) => problems.append(&mut errors),
    }
    if let Some(guest) = &mut input.guest {
        check_guest(party, guest, &mut problems);
    }
    let institution = matches!(party.actor, kernel::Actor::Institution { .. });
    match (&mut input.institutional, institution) {
        (None, true) => problems.push(FieldError::new(
            "institutional",
            FieldErrorCode::Required,
            "institution orders need a purchase order or GeM contract and consignees",
        )),
        (Some(_), false) => problems.push(FieldError::new(
            "institutional",
            FieldErrorCode::NotAllowed,
            "only institution accounts place institutional orders",
        )),
        (Some(terms), true) => check_terms(terms, &mut problems),
        (None, false) => {}
    }
    let method_allowed = match input.payment_method {
        PaymentMethod::Stripe | PaymentMethod::Razorpay => {
            configured(input.payment_method.provider())
        }
        PaymentMethod::PurchaseOrder => institution,
        PaymentMethod::CashOnDelivery | PaymentMethod::BankTransfer => true,
        PaymentMethod::Channel => false,
    };
    if !method_allowed {
        problems.push(FieldError::new(
            "paymentMethod",
            FieldErrorCode::NotAllowed,
            match input.payment_method {
                PaymentMethod::Stripe => "card payments are not configured on this marketplace",
                PaymentMethod::Razorpay => {
                    "Razorpay (UPI, cards, netbanking) is not configured on this marketplace"
                }
                PaymentMethod::Channel => {
                    "channel settlement is for orders from the sales channels"
                }
                _ => "purchase orders are for institution accounts",
            },
        ));
    }
    if problems.is_empty() {
        Ok(input)
    } else {
        Err(OrderError::Invalid(problems))
    }
}

/// A guest's email (already normalised by the caller; bounded here) and phone.
fn check_guest(party: &Party, guest: &mut GuestContact, problems: &mut Vec<FieldError>) {
    if party.actor != kernel::Actor::Anonymous {
        problems.push(FieldError::new(
            "guest",
            FieldErrorCode::NotAllowed,
            "signed-in buyers order as themselves; guest details are for visitors",
        ));
        return;
    }
    guest.email = guest.email.trim().to_owned();
    let plausible = guest.email.len() <= MAX_GUEST_EMAIL
        && guest
            .email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !guest
            .email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control());
    if !plausible {
        problems.push(FieldError::new(
            "guest.email",
            FieldErrorCode::Invalid,
            "email must look like name@example.org",
        ));
    }
    match indian_mobile(&guest.phone) {
        Some(phone) => guest.phone = phone,
        None => problems.push(FieldError::new(
            "guest.phone",
            FieldErrorCode::Invalid,
            "phone must be a 10-digit Indian mobile number",
        )),
    }
}

/// Price changes, items no longer for sale, minimum quantities and stock, each as a
/// field error on the cart.
pub(crate) fn line_problems(lines: &[CartLine]) -> Vec<FieldError> {
    let mut problems = Vec::new();
    for line in lines {
        for issue in line_issues(line) {
            problems.push(FieldError::new(
                CART_FIELD,
                issue.kind.code(),
                issue.message,
            ));
        }
    }
    problems
}

/// What stops one line from being ordered today, apart from where it goes (the
/// planner checks that): the checkout and the quote both ask this.
pub(crate) fn line_issues(line: &CartLine) -> Vec<LineIssue> {
    let Some(item) = line.item.as_ref().filter(|item| item.on_sale) else {
        return vec![LineIssue::new(
            LineIssueKind::NotForSale,
            "this item is no longer for sale; remove it from the cart",
        )];
    };
    let mut issues = Vec::new();
    let sku = &item.variant.sku;
    if line.price_changed() {
        issues.push(LineIssue::new(
            LineIssueKind::PriceChanged,
            format!(
                "the price of {sku} changed from {} to {} paise",
                line.seen_unit_price_paise, line.unit_price_paise
            ),
        ));
    }
    if line.quantity < item.variant.min_order_quantity {
        issues.push(LineIssue::new(
            LineIssueKind::BelowMinimumQuantity,
            format!(
                "{sku} is sold in quantities of at least {}",
                item.variant.min_order_quantity
            ),
        ));
    }
    if line.quantity > item.variant.stock_on_hand {
        issues.push(LineIssue::new(
            LineIssueKind::OutOfStock,
            format!("only {} of {sku} in stock", item.variant.stock_on_hand),
        ));
    }
    issues
}

/// What the planner needs of each checked line: the variant as sold today.
pub(crate) fn plan_items(lines: &[CartLine]) -> Result<Vec<PlanItem>, OrderError> {
    lines
        .iter()
        .map(|line| {
            let item = line
                .item
                .as_ref()
                .ok_or_else(|| OrderError::corrupt("checked line without its item"))?;
            Ok(PlanItem {
                variant_id: line.variant_id,
                product_id: item.variant.product_id,
                cooperative_id: item.cooperative.id,
                supplier_name: item.cooperative.name.clone(),
                supplier_state: item.cooperative.state_code.clone(),
                supplier_regime: item.cooperative.gst_regime,
                sku: item.variant.sku.clone(),
                description: format!("{} ({})", item.product_title, item.variant.title),
                hsn: item.hsn_code.clone(),
                category_gst_rate_bp: i64::from(item.category_gst_rate_bp),
                unit_price_paise: line.unit_price_paise,
                unit_weight_grams: i64::from(item.variant.weight_grams),
                pieces_per_unit: item.variant.pieces_per_unit,
                uqc: item.variant.uqc,
            })
        })
        .collect()
}

/// Who receives what where: each consignee's items to its address for an
/// institutional order (checked against the cart), else every line to the order's
/// address.
pub(crate) fn allocations(
    input: &PlaceOrder,
    lines: &[CartLine],
) -> Result<Vec<Allocation>, OrderError> {
    Ok(match &input.institutional {
        Some(terms) => {
            check_allocations(terms, lines)?;
            terms
                .consignees
                .iter()
                .enumerate()
                .flat_map(|(index, c)| {
                    c.items
                        .iter()
                        .enumerate()
                        .map(move |(item_index, item)| Allocation {
                            consignee: Some(index),
                            variant_id: item.variant_id,
                            quantity: item.quantity,
                            destination: c.address.state_code.clone(),
                            field: format!("institutional.consignees.{index}.items.{item_index}"),
                        })
                })
                .collect()
        }
        None => lines
            .iter()
            .map(|l| Allocation {
                consignee: None,
                variant_id: l.variant_id,
                quantity: l.quantity,
                destination: input.address.state_code.clone(),
                field: CART_FIELD.to_owned(),
            })
            .collect(),
    })
}

/// Normalises institutional terms, collecting their problems.
pub(crate) fn check_terms(terms: &mut InstitutionalTerms, problems: &mut Vec<FieldError>) {
    let clean = |value: &mut Option<String>| {
        *value = value
            .take()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty());
    };
    clean(&mut terms.purchase_order_number);
    clean(&mut terms.gem_contract_number);
    if terms.purchase_order_number.is_none() && terms.gem_contract_number.is_none() {
        problems.push(FieldError::new(
            "institutional.purchaseOrderNumber",
            FieldErrorCode::Required,
            "give a purchase order number or a GeM contract number",
        ));
    }
    for (field, value) in [
        ("purchaseOrderNumber", &terms.purchase_order_number),
        ("gemContractNumber", &terms.gem_contract_number),
    ] {
        if value.as_ref().is_some_and(|v| {
            v.len() > 64
                || !v
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-/_.".contains(&b))
        }) {
            problems.push(FieldError::new(
                &format!("institutional.{field}"),
                FieldErrorCode::Invalid,
                format!("{field} must be at most 64 letters, digits, '-', '/', '_' or '.'"),
            ));
        }
    }
    if terms
        .payment_terms_days
        .is_some_and(|d| !(0..=180).contains(&d))
    {
        problems.push(FieldError::new(
            "institutional.paymentTermsDays",
            FieldErrorCode::OutOfRange,
            "paymentTermsDays must be between 0 and 180",
        ));
    }
    if terms.gem_contract_number.is_some()
        && terms
            .payment_terms_days
            .is_some_and(|d| d != GEM_PAYMENT_DAYS_AFTER_CRAC)
    {
        problems.push(FieldError::new(
            "institutional.paymentTermsDays",
            FieldErrorCode::NotAllowed,
            format!(
                "a GeM contract is paid {GEM_PAYMENT_DAYS_AFTER_CRAC} days after the CRAC, by GeM's terms; leave paymentTermsDays out"
            ),
        ));
    }
    if terms.consignees.is_empty() || terms.consignees.len() > 50 {
        problems.push(FieldError::new(
            "institutional.consignees",
            FieldErrorCode::OutOfRange,
            "an institutional order has 1 to 50 consignees",
        ));
    }
    for (index, consignee) in terms.consignees.iter_mut().enumerate() {
        let prefix = format!("institutional.consignees.{index}");
        consignee.name = consignee.name.trim().to_owned();
        if consignee.name.is_empty() || consignee.name.chars().count() > 100 {
            problems.push(FieldError::new(
                &format!("{prefix}.name"),
                FieldErrorCode::Required,
                "a consignee needs a name of at most 100 characters",
            ));
        }
        match consignee
            .address
            .clone()
            .checked(&format!("{prefix}.address"))
        {
            Ok(address) => consignee.address = address,
            Err(mut errors) => problems.append(&mut errors),
        }
        if consignee.items.is_empty() {
            problems.push(FieldError::new(
                &format!("{prefix}.items"),
                FieldErrorCode::Required,
                "a consignee receives at least one item",
            ));
        }
        for (i, item) in consignee.items.iter().enumerate() {
            if item.quantity <= 0 || item.quantity > cart::MAX_LINE_QUANTITY {
                problems.push(FieldError::new(
                    &format!("{prefix}.items.{i}.quantity"),
                    FieldErrorCode::OutOfRange,
                    "quantity must be positive",
                ));
            }
        }
    }
}

/// Consignees' quantities must add up to the cart's, variant by variant.
fn check_allocations(terms: &InstitutionalTerms, lines: &[CartLine]) -> Result<(), OrderError> {
    let mut allocated: BTreeMap<Uuid, i64> = BTreeMap::new();
    for consignee in &terms.consignees {
        for item in &consignee.items {
            *allocated.entry(item.variant_id).or_default() += i64::from(item.quantity);
        }
    }
    let mut problems = Vec::new();
    for line in lines {
        let given = allocated.remove(&line.variant_id).unwrap_or(0);
        if given != i64::from(line.quantity) {
            let sku = line
                .item
                .as_ref()
                .map_or_else(|| line.variant_id.to_string(), |i| i.variant.sku.clone());
            problems.push(FieldError::new(
                "institutional.consignees",
                FieldErrorCode::Invalid,
                format!(
                    "consignees receive {given} units of {sku} but the cart has {}",
                    line.quantity
                ),
            ));
        }
    }
    if !allocated.is_empty() {
        problems.push(FieldError::new(
            "institutional.consignees",
            FieldErrorCode::Invalid,
            "consignees list items that are not in the cart",
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(OrderError::Invalid(problems))
    }
}

#[cfg(test)]
mod known_answer {
    use super::*;

    /// The channel buyers' ids are stored on orders, so they must never change. Computed
    /// outside this code with Python: `uuid.UUID(bytes=hashlib.sha256(b"ladakh-market
    /// channel buyer GEM").digest()[:16], version=4)`.
    #[test]
    fn channel_buyer_ids_match_independently_computed_values() {
        assert_eq!(
            channel_buyer_id("GEM").to_string(),
            "cd4cdd17-6a32-48bf-ba0b-48b611f2b760"
        );
        assert_eq!(
            channel_buyer_id("NCUI_HAAT").to_string(),
            "c8610151-4744-4015-98f2-0bfe21400561"
        );
    }
}
