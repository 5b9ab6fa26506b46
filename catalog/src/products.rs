//! Products: what cooperatives sell. Staff create them as drafts; a product becomes
//! ACTIVE only with every mandatory Legal Metrology declaration, valid attributes, at
//! least one variant, and (for food) its cooperative's FSSAI licence.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr,
    sea_query::{Expr, ExprTrait, Query},
};
use uuid::Uuid;

use crate::{
    Actor, CatalogError, Category, Cooperative, FieldErrorCode, Page, PageRequest,
    VerificationStatus,
    categories::{descendants_of, find_category, validate_attributes},
    entity::{cooperative, gi_authorised_user, gi_tag, product, product_gi_claim, product_variant},
    list_categories,
    slug::{check_slug, slugify},
    status::{AuthorisedUserStatus, ProductStatus},
    store::{Declarations, Procurement, Product, ProductImage, load_product},
    variants::{NewVariant, Variant, insert_variant, variants_by_product_ids},
};
use kernel::paging::fetch_page;
use kernel::{FieldError, FieldErrors};

/// The order of a product listing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProductSort {
    #[default]
    Newest,
    Oldest,
    Title,
    PriceLowToHigh,
    PriceHighToLow,
}

/// Narrows the public product listing. Price bounds and `in_stock` must hold for one
/// and the same variant.
#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    /// A category and everything below it.
    pub category_slug: Option<String>,
    pub cooperative_id: Option<Uuid>,
    pub gi_tag_id: Option<Uuid>,
    pub district: Option<String>,
    pub min_price_paise: Option<i64>,
    pub max_price_paise: Option<i64>,
    pub in_stock: Option<bool>,
}

/// How a product is looked up.
#[derive(Debug, Clone)]
pub enum ProductLookup {
    Id(Uuid),
    Slug(String),
}

/// A new product with its first variants.
#[derive(Debug, Clone, Default)]
pub struct NewProduct {
    pub cooperative_id: Uuid,
    pub category_slug: String,
    pub title: String,
    pub slug: Option<String>,
    pub description: String,
    pub attributes: serde_json::Map<String, serde_json::Value>,
    pub images: Vec<ProductImage>,
    pub declarations: Declarations,
    pub procurement: Procurement,
    /// The product's own HSN code (4, 6 or 8 digits); None keeps the category's.
    pub hsn_code: Option<String>,
    pub variants: Vec<NewVariant>,
    /// DRAFT when omitted; ACTIVE only if the product passes the activation checks.
    pub status: Option<ProductStatus>,
}

/// Changes to a product; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ProductChanges {
    pub title: Option<String>,
    pub slug: Option<String>,
    pub description: Option<String>,
    pub category_slug: Option<String>,
    pub attributes: Option<serde_json::Map<String, serde_json::Value>>,
    pub images: Option<Vec<ProductImage>>,
    pub declarations: Option<Declarations>,
    pub procurement: Option<Procurement>,
    /// `Some("")` clears the override, back to the category's code.
    pub hsn_code: Option<String>,
    pub status: Option<ProductStatus>,
}

pub(crate) fn public_products() -> sea_orm::Select<product::Entity> {
    let verified_cooperatives = Query::select()
        .column(cooperative::Column::Id)
        .from(cooperative::Entity)
        .and_where(
            Expr::col(cooperative::Column::VerificationStatus).eq(VerificationStatus::Verified),
        )
        .to_owned();
    product::Entity::find()
        .filter(product::Column::Status.eq(ProductStatus::Active))
        .filter(product::Column::CooperativeId.in_subquery(verified_cooperatives))
}

fn apply_filter_conditions(
    mut select: sea_orm::Select<product::Entity>,
    filter: &ProductFilter,
    category_ids: Option<Vec<Uuid>>,
) -> sea_orm::Select<product::Entity> {
    if let Some(ids) = category_ids {
        select = select.filter(product::Column::CategoryId.is_in(ids));
    }
    if let Some(cooperative_id) = filter.cooperative_id {
        select = select.filter(product::Column::CooperativeId.eq(cooperative_id));
    }
    if let Some(gi_tag_id) = filter.gi_tag_id {
        // Only claims valid today: the GI in force and the cooperative's authorisation
        // verified and current, decided by today's date at read time.
        let today = Utc::now().date_naive();
        let claimed = Query::select()
            .column(product_gi_claim::Column::ProductId)
            .from(product_gi_claim::Entity)
            .and_where(Expr::col(product_gi_claim::Column::GiTagId).eq(gi_tag_id))
            .to_owned();
        let authorised = Query::select()
            .column(gi_authorised_user::Column::CooperativeId)
            .from(gi_authorised_user::Entity)
            .and_where(Expr::col(gi_authorised_user::Column::GiTagId).eq(gi_tag_id))
            .and_where(
                Expr::col(gi_authorised_user::Column::Status).eq(AuthorisedUserStatus::Verified),
            )
            .and_where(Expr::col(gi_authorised_user::Column::ValidFrom).lte(today))
            .and_where(Expr::col(gi_authorised_user::Column::ValidUntil).gte(today))
            .to_owned();
        let in_force = Query::select()
            .column(gi_tag::Column::Id)
            .from(gi_tag::Entity)
            .and_where(Expr::col(gi_tag::Column::Id).eq(gi_tag_id))
            .cond_where(
                Condition::any()
                    .add(Expr::col(gi_tag::Column::RegistrationDate).is_null())
                    .add(Expr::col(gi_tag::Column::RegistrationDate).lte(today)),
            )
            .cond_where(
                Condition::any()
                    .add(Expr::col(gi_tag::Column::ExpiryDate).is_null())
                    .add(Expr::col(gi_tag::Column::ExpiryDate).gte(today)),
            )
            .to_owned();
        select = select
            .filter(product::Column::Id.in_subquery(claimed))
            .filter(product::Column::CooperativeId.in_subquery(authorised))
            .filter(Expr::val(gi_tag_id).in_subquery(in_force));
    }
    if let Some(district) = &filter.district {
        let in_district = Query::select()
            .column(cooperative::Column::Id)
            .from(cooperative::Entity)
            .and_where(Expr::col(cooperative::Column::District).eq(district.as_str()))
            .to_owned();
        select = select.filter(product::Column::CooperativeId.in_subquery(in_district));
    }
    if filter.min_price_paise.is_some()
        || filter.max_price_paise.is_some()
        || filter.in_stock.is_some()
    {
        let variant_column = |column| Expr::col((product_variant::Entity, column));
        let mut variant = Query::select();
        variant
            .column((product_variant::Entity, product_variant::Column::Id))
            .from(product_variant::Entity)
            .and_where(
                variant_column(product_variant::Column::ProductId)
                    .equals((product::Entity, product::Column::Id)),
            );
        if let Some(min) = filter.min_price_paise {
            variant.and_where(variant_column(product_variant::Column::PricePaise).gte(min));
        }
        if let Some(max) = filter.max_price_paise {
            variant.and_where(variant_column(product_variant::Column::PricePaise).lte(max));
        }
        match filter.in_stock {
            Some(true) => {
                variant.and_where(variant_column(product_variant::Column::StockOnHand).gt(0));
            }
            Some(false) => {
                variant.and_where(variant_column(product_variant::Column::StockOnHand).lte(0));
            }
            None => {}
        }
        select = select.filter(Expr::exists(variant.to_owned()));
    }
    select
}

async fn category_ids_for(
    db: &impl ConnectionTrait,
    filter: &ProductFilter,
) -> Result<Option<Vec<Uuid>>, CatalogError> {
    let Some(slug) = &filter.category_slug else {
        return Ok(None);
    };
    let categories = list_categories(db).await?;
    let root = categories
        .iter()
        .find(|c| &c.slug == slug)
        .ok_or_else(|| CatalogError::CategoryNotFound(slug.clone()))?;
    Ok(Some(descendants_of(&categories, root.id)))
}

/// Lists the products buyers may see, newest first.
pub async fn list_public_products(
    db: &impl ConnectionTrait,
    filter: &ProductFilter,
    sort: ProductSort,
    request: PageRequest,
    default_size: u64,
) -> Result<Page<Product>, CatalogError> {
    let category_ids = category_ids_for(db, filter).await?;
    let select = apply_filter_conditions(public_products(), filter, category_ids);
    fetch_sorted_page(db, select, sort, request, default_size)
        .await?
        .try_map(Product::try_from)
}

/// Keyset paging over (sort column, id). Cursors stay opaque ids: the sort value of
/// the row a cursor points at is read back when the client pages on from it.
async fn fetch_sorted_page(
    db: &impl ConnectionTrait,
    select: sea_orm::Select<product::Entity>,
    sort: ProductSort,
    request: PageRequest,
    default_size: u64,
) -> Result<Page<product::Model>, CatalogError> {
    let (column, ascending) = match sort {
        ProductSort::Newest => {
            return Ok(
                fetch_page(db, select, product::Column::Id, true, request, default_size).await?,
            );
        }
        ProductSort::Oldest => {
            return Ok(fetch_page(
                db,
                select,
                product::Column::Id,
                false,
                request,
                default_size,
            )
            .await?);
        }
        ProductSort::Title => (product::Column::Title, true),
        ProductSort::PriceLowToHigh => (product::Column::MinPricePaise, true),
        ProductSort::PriceHighToLow => (product::Column::MinPricePaise, false),
    };
    let total_count = if request.count_total {
        select.clone().count(db).await?
    } else {
        0
    };
    let backwards = request.last.is_some() && request.first.is_none();
    let size = if backwards {
        request.last
    } else {
        request.first
    }
    .unwrap_or(default_size);
    let sort_value = |model: &product::Model| -> sea_orm::Value {
        match column {
            product::Column::Title => model.title.clone().into(),
            _ => model.min_price_paise.into(),
        }
    };
    let mut page = select;
    // `after` moves on in list order, `before` moves back against it.
    for (cursor, forward) in [(request.after, true), (request.before, false)] {
        let Some(cursor) = cursor else { continue };
        let Some(row) = product::Entity::find_by_id(cursor).one(db).await? else {
            return Err(CatalogError::invalid(
                "after",
                FieldErrorCode::Invalid,
                "the cursor points at no product",
            ));
        };
        let value = sort_value(&row);
        let greater = ascending == forward;
        let (beyond_value, beyond_id) = if greater {
            (
                Expr::col(column).gt(value.clone()),
                Expr::col(product::Column::Id).gt(cursor),
            )
        } else {
            (
                Expr::col(column).lt(value.clone()),
                Expr::col(product::Column::Id).lt(cursor),
            )
        };
        page = page.filter(
            Condition::any().add(beyond_value).add(
                Condition::all()
                    .add(Expr::col(column).eq(value))
                    .add(beyond_id),
            ),
        );
    }
    let effective_ascending = ascending != backwards;
    page = if effective_ascending {
        page.order_by_asc(column).order_by_asc(product::Column::Id)
    } else {
        page.order_by_desc(column)
            .order_by_desc(product::Column::Id)
    };
    let mut items = page.limit(size.saturating_add(1)).all(db).await?;
    let has_more = u64::try_from(items.len()).unwrap_or(u64::MAX) > size;
    items.truncate(usize::try_from(size).unwrap_or(usize::MAX));
    Ok(if backwards {
        items.reverse();
        Page {
            items,
            has_next_page: request.before.is_some(),
            has_previous_page: has_more,
            total_count,
        }
    } else {
        Page {
            items,
            has_next_page: has_more,
            has_previous_page: request.after.is_some(),
            total_count,
        }
    })
}

/// Loads the public products among `ids` in one query (search hits are re-checked
/// against the database so a stale index never shows a hidden product).
/// Products by id whatever their status (for the platform's own processes: channel
/// sync, feeds).
pub async fn products_by_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Product>, CatalogError> {
    product::Entity::find()
        .filter(product::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|model| Product::try_from(model).map(|p| (p.id, p)))
        .collect()
}

pub async fn public_products_by_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Product>, CatalogError> {
    public_products()
        .filter(product::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|model| Product::try_from(model).map(|p| (p.id, p)))
        .collect()
}

/// Lists every product of one cooperative, drafts and archived ones included, for its
/// staff and admins.
pub async fn list_cooperative_products(
    db: &impl ConnectionTrait,
    actor: &Actor,
    cooperative_id: Uuid,
    status: Option<ProductStatus>,
    request: PageRequest,
    default_size: u64,
) -> Result<Page<Product>, CatalogError> {
    actor.require_manage(cooperative_id)?;
    let mut select =
        product::Entity::find().filter(product::Column::CooperativeId.eq(cooperative_id));
    if let Some(status) = status {
        select = select.filter(product::Column::Status.eq(status));
    }
    fetch_page(db, select, product::Column::Id, true, request, default_size)
        .await?
        .try_map(Product::try_from)
}

/// Finds a product that this actor may see: public ones for everybody, any product of
/// their cooperative for its staff, any for admins.
pub async fn find_product_for(
    db: &impl ConnectionTrait,
    actor: &Actor,
    lookup: &ProductLookup,
) -> Result<Product, CatalogError> {
    let select = match lookup {
        ProductLookup::Id(id) => product::Entity::find_by_id(*id),
        ProductLookup::Slug(slug) => {
            product::Entity::find().filter(product::Column::Slug.eq(slug.as_str()))
        }
    };
    let product = select
        .one(db)
        .await?
        .ok_or(CatalogError::ProductNotFound)
        .and_then(Product::try_from)?;
    if actor.can_manage(product.cooperative_id) || is_public(db, &product).await? {
        Ok(product)
    } else {
        Err(CatalogError::ProductNotFound)
    }
}

async fn is_public(db: &impl ConnectionTrait, product: &Product) -> Result<bool, CatalogError> {
    if product.status != ProductStatus::Active {
        return Ok(false);
    }
    let owner = cooperative::Entity::find_by_id(product.cooperative_id)
        .one(db)
        .await?;
    Ok(owner.is_some_and(|c| c.verification_status == VerificationStatus::Verified))
}

async fn load_cooperative(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Cooperative, CatalogError> {
    cooperative::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(CatalogError::CooperativeNotFound)
        .and_then(Cooperative::try_from)
}

fn check_images(images: &[ProductImage], errors: &mut FieldErrors) {
    if images.len() > 20 {
        errors.push("images", FieldErrorCode::OutOfRange, "at most 20 images");
    }
    for (index, image) in images.iter().enumerate() {
        let url = image.url.trim();
        // An upload's URL is filled from the upload.
        if image.media_id.is_none() && !(url.starts_with("https://") || url.starts_with("http://"))
            || url.len() > 2000
        {
            errors.push(
                &format!("images.{index}.url"),
                FieldErrorCode::Invalid,
                "image url must be an http(s) URL",
            );
        }
        if image.alt.trim().is_empty() || image.alt.chars().count() > 300 {
            errors.push(
                &format!("images.{index}.alt"),
                FieldErrorCode::Required,
                "every image needs alt text of at most 300 characters",
            );
        }
    }
}

/// Everything that keeps a product from going live, as field errors.
fn activation_problems(
    product: &Product,
    category: &Category,
    cooperative: &Cooperative,
    variant_count: usize,
) -> Vec<FieldError> {
    let mut problems = product.declarations.missing(category.is_food);
    for (key, message) in validate_attributes(&category.attribute_schema, &product.attributes) {
        problems.push(FieldError::new(
            &format!("attributes.{key}"),
            FieldErrorCode::Invalid,
            message,
        ));
    }
    if variant_count == 0 {
        problems.push(FieldError::new(
            "variants",
            FieldErrorCode::Required,
            "a product needs at least one variant before it can be active",
        ));
    }
    if category.is_food && cooperative.fssai_licence.is_none() {
        problems.push(FieldError::new(
            "status",
            FieldErrorCode::NotAllowed,
            "the cooperative needs an FSSAI licence number before it can list food",
        ));
    }
    problems
}

/// The product's HSN override, checked: digits of the right length, and with the
/// category's code as the fallback, at least as many digits as the cooperative's
/// turnover band needs.
fn check_hsn(
    errors: &mut FieldErrors,
    hsn_code: Option<&str>,
    category: &Category,
    cooperative: &Cooperative,
) {
    if let Some(problem) = hsn_code.and_then(crate::status::hsn_problem) {
        errors.push("hsnCode", FieldErrorCode::Invalid, problem);
        return;
    }
    let hsn = hsn_code.unwrap_or(&category.hsn_code);
    if let Some(problem) =
        crate::hsn::short_hsn_problem("hsnCode", &cooperative.name, cooperative.turnover_band, hsn)
    {
        errors.push(&problem.field.join("."), problem.code, problem.message);
    }
}

/// Adds the activation problems not already among the input's (attributes are checked
/// by both).
fn merge_problems(errors: &mut FieldErrors, problems: Vec<FieldError>) {
    for problem in problems {
        if !errors.0.contains(&problem) {
            errors.0.push(problem);
        }
    }
}

fn unique_violation(error: &sea_orm::DbErr) -> bool {
    matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Creates a product with its variants in one transaction.
pub async fn create_product(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewProduct,
) -> Result<(Product, Vec<Variant>), CatalogError> {
    actor.require_manage(new.cooperative_id)?;
    let txn = kernel::begin_write(db).await?;
    let created = create_product_in(&txn, actor, new).await?;
    txn.commit().await?;
    Ok(created)
}

/// Creates a product inside the caller's transaction (bulk import, demo data,
/// benchmarks).
pub async fn create_product_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    mut new: NewProduct,
) -> Result<(Product, Vec<Variant>), CatalogError> {
    actor.require_manage(new.cooperative_id)?;
    let cooperative = load_cooperative(db, new.cooperative_id).await?;
    let mut errors = FieldErrors::default();
    errors.text("title", &new.title, 200, true);
    errors.text("description", &new.description, 10_000, false);
    check_images(&new.images, &mut errors);
    let mut images = std::mem::take(&mut new.images);
    crate::product_media::resolve_media_images(db, cooperative.id, &mut images, &mut errors)
        .await?;
    let slug = new.slug.clone().unwrap_or_else(|| slugify(&new.title));
    if let Err(message) = check_slug(&slug) {
        errors.push("slug", FieldErrorCode::Invalid, message);
    }
    let category = match find_category(db, &new.category_slug).await {
        Ok(category) => Some(category),
        Err(CatalogError::CategoryNotFound(_)) => {
            errors.push(
                "categorySlug",
                FieldErrorCode::NotFound,
                format!("no category {}", new.category_slug),
            );
            None
        }
        Err(other) => return Err(other),
    };
    let hsn_code = new
        .hsn_code
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_owned);
    if let Some(category) = &category {
        check_hsn(&mut errors, hsn_code.as_deref(), category, &cooperative);
        for (key, message) in validate_attributes(&category.attribute_schema, &new.attributes) {
            errors.push(
                &format!("attributes.{key}"),
                FieldErrorCode::Invalid,
                message,
            );
        }
    }
    for (index, variant) in new.variants.iter().enumerate() {
        errors.extend_under(&format!("variants.{index}"), variant.problems());
    }
    for problem in new.procurement.problems() {
        errors.push(&problem.field.join("."), problem.code, problem.message);
    }
    for problem in new.declarations.check_input() {
        errors.push(&problem.field.join("."), problem.code, problem.message);
    }
    let Some(category) = category else {
        errors.finish()?;
        return Err(CatalogError::CategoryNotFound(new.category_slug));
    };
    let now = Utc::now();
    let status = new.status.unwrap_or(ProductStatus::Draft);
    let product = Product {
        id: Uuid::now_v7(),
        slug,
        title: new.title.trim().to_owned(),
        description: new.description.trim().to_owned(),
        cooperative_id: cooperative.id,
        category_id: category.id,
        status,
        attributes: new.attributes,
        images,
        declarations: new.declarations,
        procurement: new.procurement,
        hsn_code,
        min_price_paise: new
            .variants
            .iter()
            .map(|v| v.price_paise)
            .min()
            .unwrap_or(0),
        created_at: now,
        updated_at: now,
    };
    // Whatever keeps the product from going live is reported with the rest, so that
    // a form (or a bulk import's dry run) shows every problem at once.
    if status == ProductStatus::Active {
        let mut problems =
            activation_problems(&product, &category, &cooperative, new.variants.len());
        problems.extend(crate::protected_names::protected_name_problems(db, &product).await?);
        merge_problems(&mut errors, problems);
    }
    errors.finish()?;
    let inserted = product::Entity::insert(to_active_model(&product)?)
        .exec(db)
        .await;
    if let Err(error) = inserted {
        return Err(if unique_violation(&error) {
            CatalogError::invalid(
                "slug",
                FieldErrorCode::Taken,
                "another product already uses this slug",
            )
        } else {
            error.into()
        });
    }
    let mut variants = Vec::with_capacity(new.variants.len());
    for (index, variant) in new.variants.into_iter().enumerate() {
        let created = insert_variant(db, product.id, cooperative.id, variant)
            .await
            .map_err(|error| match error {
                CatalogError::Invalid(fields) => CatalogError::Invalid(
                    fields
                        .into_iter()
                        .map(|f| f.under(&format!("variants.{index}")))
                        .collect(),
                ),
                other => other,
            })?;
        variants.push(created);
    }
    crate::changes::product_changed(db, &[product.id]).await?;
    Ok((product, variants))
}

fn to_active_model(product: &Product) -> Result<product::ActiveModel, CatalogError> {
    let json = |value: serde_json::Result<serde_json::Value>| {
        value.map_err(|e| CatalogError::Corrupt(e.to_string()))
    };
    Ok(product::ActiveModel {
        id: Set(product.id),
        slug: Set(product.slug.clone()),
        title: Set(product.title.clone()),
        description: Set(product.description.clone()),
        cooperative_id: Set(product.cooperative_id),
        category_id: Set(product.category_id),
        status: Set(product.status),
        attributes: Set(serde_json::Value::Object(product.attributes.clone())),
        images: Set(json(serde_json::to_value(&product.images))?),
        declarations: Set(json(serde_json::to_value(&product.declarations))?),
        procurement: Set(Some(json(serde_json::to_value(&product.procurement))?)),
        hsn_code: Set(product.hsn_code.clone()),
        min_price_paise: Set(product.min_price_paise),
        created_at: Set(product.created_at),
        updated_at: Set(product.updated_at),
    })
}

/// Edits a product, including its status. Going ACTIVE runs the activation checks.
pub async fn update_product(
    db: &impl kernel::Writer,
    actor: &Actor,
    id: Uuid,
    changes: ProductChanges,
) -> Result<Product, CatalogError> {
    in_transaction!(db, |txn| update_product_in(&txn, actor, id, changes))
}

// The body of [`update_product`], inside the transaction it opens (and the bulk
// import's).
pub(crate) async fn update_product_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    changes: ProductChanges,
) -> Result<Product, CatalogError> {
    let mut product = load_product(db, id).await?;
    actor.require_manage(product.cooperative_id)?;
    let mut errors = FieldErrors::default();
    if let Some(title) = changes.title {
        errors.text("title", &title, 200, true);
        product.title = title.trim().to_owned();
    }
    if let Some(slug) = changes.slug {
        if let Err(message) = check_slug(&slug) {
            errors.push("slug", FieldErrorCode::Invalid, message);
        }
        product.slug = slug;
    }
    if let Some(description) = changes.description {
        errors.text("description", &description, 10_000, false);
        product.description = description.trim().to_owned();
    }
    if let Some(mut images) = changes.images {
        check_images(&images, &mut errors);
        crate::product_media::resolve_media_images(
            db,
            product.cooperative_id,
            &mut images,
            &mut errors,
        )
        .await?;
        product.images = images;
    }
    if let Some(mut declarations) = changes.declarations {
        for problem in declarations.check_input() {
            errors.push(&problem.field.join("."), problem.code, problem.message);
        }
        product.declarations = declarations;
    }
    if let Some(procurement) = changes.procurement {
        for problem in procurement.problems() {
            errors.push(&problem.field.join("."), problem.code, problem.message);
        }
        product.procurement = procurement;
    }
    let category_changed = changes.category_slug.is_some();
    let category = match changes.category_slug {
        Some(slug) => match find_category(db, &slug).await {
            Ok(category) => Some(category),
            Err(CatalogError::CategoryNotFound(_)) => {
                errors.push(
                    "categorySlug",
                    FieldErrorCode::NotFound,
                    format!("no category {slug}"),
                );
                None
            }
            Err(other) => return Err(other),
        },
        None => Some(crate::categories::category_by_id(db, product.category_id).await?),
    };
    if let Some(attributes) = changes.attributes {
        product.attributes = attributes;
    }
    if let Some(hsn) = changes.hsn_code {
        let hsn = hsn.trim();
        product.hsn_code = (!hsn.is_empty()).then(|| hsn.to_owned());
    }
    let cooperative = load_cooperative(db, product.cooperative_id).await?;
    if let Some(category) = &category {
        check_hsn(
            &mut errors,
            product.hsn_code.as_deref(),
            category,
            &cooperative,
        );
        product.category_id = category.id;
        for (key, message) in validate_attributes(&category.attribute_schema, &product.attributes) {
            errors.push(
                &format!("attributes.{key}"),
                FieldErrorCode::Invalid,
                message,
            );
        }
    }
    if let Some(status) = changes.status {
        product.status = status;
    }
    if let Some(category) = &category
        && product.status == ProductStatus::Active
    {
        let variant_count = variants_by_product_ids(db, &[product.id])
            .await?
            .get(&product.id)
            .map_or(0, Vec::len);
        let mut problems = activation_problems(&product, category, &cooperative, variant_count);
        problems.extend(crate::protected_names::protected_name_problems(db, &product).await?);
        merge_problems(&mut errors, problems);
    }
    errors.finish()?;
    let Some(category) = category else {
        return Err(CatalogError::ProductNotFound);
    };
    // A claimed GI stays on goods its registration covers: moving the product to
    // another category, or giving it an HSN code the GI does not cover, is refused
    // until the claim is withdrawn.
    let moved_by = if category_changed {
        "categorySlug"
    } else {
        "hsnCode"
    };
    for tag in crate::gi::claimed_tags(db, product.id).await? {
        crate::gi::check_goods_covered(db, &tag, category.id, product.hsn_code.as_deref())
            .await
            .map_err(|error| match error {
                CatalogError::Invalid(fields) => CatalogError::Invalid(
                    fields
                        .into_iter()
                        .map(|f| crate::FieldError::new(moved_by, f.code, f.message))
                        .collect(),
                ),
                other => other,
            })?;
    }
    product.updated_at = Utc::now();
    let mut model = to_active_model(&product)?.into_active_model();
    model.created_at = sea_orm::ActiveValue::NotSet;
    model.min_price_paise = sea_orm::ActiveValue::NotSet;
    model.id = sea_orm::ActiveValue::Unchanged(product.id);
    match model.update(db).await {
        Ok(_) => {
            crate::changes::product_changed(db, &[product.id]).await?;
            Ok(product)
        }
        Err(error) if unique_violation(&error) => Err(CatalogError::invalid(
            "slug",
            FieldErrorCode::Taken,
            "another product already uses this slug",
        )),
        Err(error) => Err(error.into()),
    }
}
