//! The catalog: cooperatives (the sellers), districts, the category tree, products and
//! their variants and stock, the GI register with its authorised users and products'
//! GI claims, production batches with hash-chained provenance events, bulk import, and
//! the reference and demo data.
//!
//! Buyers and anonymous visitors only ever see ACTIVE products of VERIFIED cooperatives;
//! the public queries here apply that rule themselves, and every write checks the
//! [`Actor`] against the cooperative it touches.

/// A write use case's body run in its own transaction (a savepoint inside a caller's):
/// its statements and the change it records commit together or not at all
/// ([`kernel::Writer`] says why).
macro_rules! in_transaction {
    ($db:expr, |$txn:ident| $body:expr) => {{
        let $txn = kernel::begin_write($db).await?;
        let done = $body.await?;
        $txn.commit().await?;
        Ok(done)
    }};
}

mod batch_corrections;
mod batches;
mod categories;
pub mod changes;
pub mod consumer_care;
mod cooperatives;
mod districts;
mod entity;
pub mod epcis;
mod error;
mod gi;
mod gi_reminders;
mod hsn;
pub mod identifiers;
mod import;
mod metrology;
mod product_media;
mod products;
mod protected_names;
mod provenance;
mod reference_data;
mod sale;
mod search_documents;
mod seed;
mod slug;
pub mod spreadsheet;
mod status;
mod store;
mod variants;

pub use batch_corrections::{BatchCorrection, correct_batch, void_batch};
pub use batches::{
    Batch, Certificate, CertificateKind, NewBatch, batches_by_product_ids, batches_of_product,
    check_batch_code, create_batch, find_batch_by_code,
};
pub use categories::{
    AttributeDefinition, AttributeKind, Category, CategoryChanges, categories_by_ids,
    list_categories, update_category, validate_attributes,
};
pub use changes::{ChangeStamp, change_stamps};
pub use cooperatives::{
    Cooperative, CooperativeFields, PendingRegistration, VerificationRecord, cooperative_exists,
    cooperatives_by_ids, create_cooperative, find_cooperative_for, list_cooperatives,
    set_verification_status, update_cooperative, verification_history,
};
pub use districts::{District, create_district, district_filter, list_districts};
pub use error::CatalogError;
pub use gi::{
    AuthorisedUser, GiClaim, GiTag, GiTagChanges, NewAuthorisedUser,
    authorised_users_by_cooperative_ids, authorised_users_of, claim_gi, decide_authorised_user,
    gi_claims_by_product_ids, list_gi_tags, register_authorised_user, update_gi_tag,
    withdraw_gi_claim,
};
pub use gi_reminders::{GI_EXPIRY_NOTICE_DAYS, remind_expiring_authorisations};
pub use import::{
    IMPORT_COLUMNS, ImportError, ImportFormat, ImportMode, ImportReport, OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS, import_products, import_template_csv, parse_rupees,
    read_rows as read_import_rows,
};
pub use product_media::{MediaSweeper, delete_media};
pub use products::{
    NewProduct, ProductChanges, ProductFilter, ProductLookup, ProductSort, create_product,
    create_product_in, find_product_for, list_cooperative_products, list_public_products,
    products_by_ids, public_products_by_ids, update_product,
};
pub use provenance::{
    BatchGiClaim, BatchRecord, BatchRecordStatus, ChainCheck, NewEvent, Provenance,
    ProvenanceEvent, add_event, broken_chains, events_by_batch_ids, events_of_batch, verify_chain,
    verify_provenance,
};
// The kernel's shared types, for this crate's modules as `crate::Actor` and so on.
pub use consumer_care::ConsumerCare;
use kernel::{Actor, Currency, FieldError, FieldErrorCode, Money, Page, PageRequest};
pub use metrology::{NetQuantity, NetQuantityInput, UnitSalePrice, unit_sale_price};
pub use reference_data::{ReferenceSummary, ensure_reference_data};
pub use sale::{SaleItem, sale_items};
pub use search_documents::{CatalogDocuments, search_documents};
pub use seed::{SeedSummary, catalog_is_empty, load_demo_catalog};
pub use status::{
    AuthorisedUserStatus, EventKind, GstRegime, NetUnit, ProductStatus, StockReason, TurnoverBand,
    Uqc, VerificationStatus, hsn_problem,
};
pub use store::{Declarations, Procurement, Product, ProductImage};
pub use variants::{
    MAX_PIECES_PER_UNIT, NewVariant, TierPrice, Variant, VariantChanges, adjust_stock,
    create_variant, release_stock_for_order, reserve_stock_for_order, return_stock_for_order,
    update_variant, variants_by_product_ids,
};
