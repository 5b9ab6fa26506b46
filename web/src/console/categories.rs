//! Categories as admins keep them: the list (HSN code, GST rate, food), and a page per
//! category to correct its HSN code, GST rate (a choice of the slabs), food flag and
//! attribute schema with `categoryUpdate`. The schema is edited as rows, one per
//! attribute (key, label, kind, required, a choice's options), so nobody types JSON:
//! a row is added by filling the empty one (or asking for another), taken off by
//! ticking its box. The API's errors come back beside the row and field they name.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    Console, Frame,
    forms::{Errors, Field, items},
    registers::{DoneQuery, done_of, open_admin, status_of},
};
use crate::{
    foundation::{FormData, encode, field},
    i18n::Tr,
};

#[derive(Debug, Clone, Deserialize)]
struct Attribute {
    key: String,
    label: String,
    kind: String,
    required: bool,
    options: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Category {
    slug: String,
    name: String,
    hsn_code: String,
    gst_rate_bp: i64,
    is_food: bool,
    attribute_schema: Vec<Attribute>,
}

#[derive(Deserialize)]
struct CategoriesData {
    categories: Vec<Category>,
}

const QUERY: &str = "{ categories { slug name hsnCode gstRateBp isFood attributeSchema { key label kind required options } } }";

/// The GST slabs in force since 22 Sep 2025 (nil, 0.25%, 3%, 5%, 18%, 40%), in basis
/// points. The API takes any rate from 0 to 40%; the choice keeps a typing slip from
/// becoming a tax rate, and a category's stored rate is always offered as well (a
/// 12% left from before the change stays visible until it is corrected).
const SLABS: [i64; 6] = [0, 25, 300, 500, 1_800, 4_000];

const KINDS: [&str; 4] = ["TEXT", "NUMBER", "ENUM", "BOOLEAN"];

/// The most attribute rows a form carries, so a posted row count cannot make the
/// page arbitrarily long.
const MAX_ROWS: usize = 60;

/// The fields of the category itself.
const CATEGORY_FIELDS: [&str; 4] = ["name", "hsnCode", "gstRateBp", "isFood"];

/// The parts of an attribute row, each a form field `attributeSchema.{row}.{part}`.
const PARTS: [&str; 5] = ["key", "label", "kind", "required", "options"];

/// Basis points as a percentage (`500` → `5%`, `250` → `2.5%`).
fn percent(bp: i64) -> String {
    let whole = bp / 100;
    match bp % 100 {
        0 => format!("{whole}%"),
        part if part % 10 == 0 => format!("{whole}.{}%", part / 10),
        part => format!("{whole}.{part:02}%"),
    }
}

async fn load(console: &mut Console) -> Result<Vec<Category>, HttpResponse> {
    match console.ctx.run::<CategoriesData>(QUERY, json!({})).await {
        Ok(data) => Ok(data.categories),
        Err(error) => Err(console.failure(error)),
    }
}

// ---------------------------------------------------------------- the list

#[derive(Template)]
#[template(path = "console/categories.html")]
struct ListPage {
    frame: Frame,
    /// Name, slug, HSN, GST rate in words, food, attributes.
    rows: Vec<(String, String, String, String, bool, usize)>,
    done: Option<String>,
}

async fn list(request: HttpRequest, query: web::Query<DoneQuery>) -> HttpResponse {
    let mut console = match open_admin(&request, None).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let categories = match load(&mut console).await {
        Ok(categories) => categories,
        Err(response) => return response,
    };
    let page = ListPage {
        frame: console.frame(
            "con-reg-categories",
            "/console/registers/categories",
            "registers",
        ),
        rows: categories
            .into_iter()
            .map(|c| {
                (
                    c.name,
                    c.slug,
                    c.hsn_code,
                    percent(c.gst_rate_bp),
                    c.is_food,
                    c.attribute_schema.len(),
                )
            })
            .collect(),
        done: done_of(&console, &query, &["category"]),
    };
    console.ctx.render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------- the editor

/// One attribute row of the form.
struct Row {
    /// The row's number in the form, which its field names carry.
    number: usize,
    fields: Vec<Field>,
    remove: bool,
}

#[derive(Template)]
#[template(path = "console/category_edit.html")]
struct EditPage {
    frame: Frame,
    slug: String,
    fields: Vec<Field>,
    rows: Vec<Row>,
    errors: Vec<String>,
    row_count: usize,
}

fn row_name(row: usize, part: &str) -> String {
    format!("attributeSchema.{row}.{part}")
}

fn yes_no(t: &Tr) -> Vec<(String, String)> {
    vec![
        ("true".to_owned(), t.t("con-yes")),
        ("false".to_owned(), t.t("con-no")),
    ]
}

fn row_fields(
    t: &Tr,
    row: usize,
    stored: Option<&Attribute>,
    form: Option<&FormData>,
    errors: &Errors,
) -> Vec<Field> {
    let stored_text = |part: &str| -> String {
        match (stored, part) {
            (Some(a), "key") => a.key.clone(),
            (Some(a), "label") => a.label.clone(),
            (Some(a), "kind") => a.kind.clone(),
            (Some(a), "required") => a.required.to_string(),
            (Some(a), "options") => a.options.join("\n"),
            (None, "required") => "false".to_owned(),
            _ => String::new(),
        }
    };
    let field = |part: &str, kind: &'static str| {
        Field::new(
            &row_name(row, part),
            t.t(&format!("con-cat-attr-{part}")),
            kind,
        )
    };
    let kinds = KINDS
        .iter()
        .map(|k| {
            (
                (*k).to_owned(),
                t.t(&format!("con-cat-kind-{}", k.to_lowercase())),
            )
        })
        .collect();
    vec![
        field("key", "text").hint(t.t("con-cat-attr-key-hint")),
        field("label", "text").hint(t.t("con-cat-attr-label-hint")),
        field("kind", "select").options(kinds),
        field("required", "select").options(yes_no(t)),
        field("options", "textarea").hint(t.t("con-cat-attr-options-hint")),
    ]
    .into_iter()
    .zip(PARTS)
    .map(|(f, part)| f.fill(form, &stored_text(part), errors))
    .collect()
}

/// How many attribute rows a posted form carried.
fn posted_rows(form: &FormData) -> usize {
    field(form, "rows")
        .parse::<usize>()
        .unwrap_or(0)
        .min(MAX_ROWS)
}

fn render_edit(
    console: &Console,
    category: &Category,
    form: Option<&FormData>,
    errors: &Errors,
    extra_row: bool,
) -> HttpResponse {
    let t = console.ctx.t;
    let mut rates: Vec<i64> = SLABS.to_vec();
    if !rates.contains(&category.gst_rate_bp) {
        rates.push(category.gst_rate_bp);
        rates.sort_unstable();
    }
    let mut hsn = Field::new("hsnCode", t.t("con-cat-hsn"), "text")
        .required(true)
        .hint(t.t("con-cat-hsn-hint"))
        .numeric()
        .fill(form, &category.hsn_code, errors);
    hsn.inputmode = "numeric";
    let fields = vec![
        Field::new("name", t.t("con-cat-name"), "text")
            .required(true)
            .fill(form, &category.name, errors),
        hsn,
        Field::new("gstRateBp", t.t("con-reg-gst-rate"), "select")
            .required(true)
            .options(
                rates
                    .iter()
                    .map(|bp| (bp.to_string(), percent(*bp)))
                    .collect(),
            )
            .fill(form, &category.gst_rate_bp.to_string(), errors),
        Field::new("isFood", t.t("con-cat-food"), "select")
            .required(true)
            .hint(t.t("con-cat-food-hint"))
            .options(yes_no(&t))
            .fill(form, &category.is_food.to_string(), errors),
    ];
    // Stored attributes and one empty row to add one; a posted form keeps its rows
    // (and one more when asked).
    let count = match form {
        Some(form) => posted_rows(form).saturating_add(usize::from(extra_row)),
        None => category.attribute_schema.len().saturating_add(1),
    }
    .min(MAX_ROWS);
    let rows: Vec<Row> = (0..count)
        .map(|number| Row {
            number,
            fields: row_fields(
                &t,
                number,
                category.attribute_schema.get(number),
                form,
                errors,
            ),
            remove: form.is_some_and(|form| !field(form, &row_name(number, "remove")).is_empty()),
        })
        .collect();
    let mut known: Vec<String> = CATEGORY_FIELDS.map(str::to_owned).to_vec();
    known.extend(
        rows.iter()
            .flat_map(|r| r.fields.iter().map(|f| f.name.clone())),
    );
    let page = EditPage {
        frame: console.frame_titled(
            t.t1("con-cat-edit-title", "name", &category.name),
            &format!("/console/registers/categories/{}", encode(&category.slug)),
            "registers",
        ),
        slug: category.slug.clone(),
        errors: errors.general(&known),
        fields,
        rows,
        row_count: count,
    };
    console.ctx.render(status_of(errors), &page)
}

async fn open_category(
    request: &HttpRequest,
    form: Option<&FormData>,
    slug: &str,
) -> Result<(Console, Category), HttpResponse> {
    let mut console = open_admin(request, form).await?;
    let categories = load(&mut console).await?;
    match categories.into_iter().find(|c| c.slug == slug) {
        Some(category) => Ok((console, category)),
        None => Err(console.not_found()),
    }
}

async fn edit(request: HttpRequest, slug: web::Path<String>) -> HttpResponse {
    match open_category(&request, None, &slug).await {
        Ok((console, category)) => {
            render_edit(&console, &category, None, &Errors::default(), false)
        }
        Err(response) => response,
    }
}

/// The schema typed into the rows, as `categoryUpdate` takes it, with the row each
/// sent attribute came from (rows left blank or ticked to remove are not sent, so
/// the API's indexes are not the form's). Problems the form can tell before the API
/// (a filled row without its kind, key or label; a key twice) are said beside their
/// fields.
fn schema_of(t: &Tr, form: &FormData, errors: &mut Errors) -> (Vec<Value>, Vec<usize>) {
    let mut schema = Vec::new();
    let mut rows = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    for row in 0..posted_rows(form) {
        let part = |name: &str| field(form, &row_name(row, name));
        let blank = ["key", "label", "options"]
            .iter()
            .all(|name| part(name).is_empty());
        if blank || !part("remove").is_empty() {
            continue;
        }
        for name in ["key", "label", "kind"] {
            if part(name).is_empty() {
                errors.push(&row_name(row, name), t.t("con-error-required"));
            }
        }
        let key = part("key").to_owned();
        if !key.is_empty() && keys.contains(&key) {
            errors.push(&row_name(row, "key"), t.t("con-cat-key-twice"));
        }
        keys.push(key.clone());
        let kind = part("kind");
        if !kind.is_empty() && !KINDS.contains(&kind) {
            errors.push(&row_name(row, "kind"), t.t("con-error-required"));
        }
        // Options belong to a choice; typed for another kind they would mean nothing.
        let options = if kind == "ENUM" {
            items(part("options"))
        } else {
            Vec::new()
        };
        schema.push(json!({
            "key": key,
            "label": part("label"),
            "kind": kind,
            "required": part("required") == "true",
            "options": options,
        }));
        rows.push(row);
    }
    (schema, rows)
}

/// The API's errors with the sent attribute's index turned into its row's
/// (`attributeSchema.1.options` of the second attribute sent, typed in row 3, is
/// `attributeSchema.3.options`).
fn to_rows(errors: Errors, rows: &[usize]) -> Errors {
    Errors(
        errors
            .0
            .into_iter()
            .map(|(path, message)| {
                let mut parts = path.splitn(3, '.');
                let path = match (parts.next(), parts.next(), parts.next()) {
                    (Some("attributeSchema"), Some(index), rest) => {
                        match index.parse::<usize>().ok().and_then(|i| rows.get(i)) {
                            Some(row) => match rest {
                                Some(rest) => row_name(*row, rest),
                                None => format!("attributeSchema.{row}"),
                            },
                            None => path,
                        }
                    }
                    _ => path,
                };
                (path, message)
            })
            .collect(),
    )
}

async fn save(
    request: HttpRequest,
    slug: web::Path<String>,
    form: web::Form<FormData>,
) -> HttpResponse {
    let form = form.into_inner();
    let (mut console, category) = match open_category(&request, Some(&form), &slug).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    if field(&form, "action") == "add" {
        return render_edit(&console, &category, Some(&form), &Errors::default(), true);
    }
    let t = console.ctx.t;
    let mut errors = Errors::default();
    let (schema, rows) = schema_of(&t, &form, &mut errors);
    let rate = match field(&form, "gstRateBp").parse::<i64>() {
        Ok(rate) => Some(rate),
        Err(_) => {
            errors.push("gstRateBp", t.t("con-error-required"));
            None
        }
    };
    let food = match field(&form, "isFood") {
        "true" => Some(true),
        "false" => Some(false),
        _ => {
            errors.push("isFood", t.t("con-error-required"));
            None
        }
    };
    if errors.is_empty() {
        let answer = console
            .mutate(
                "mutation($input: CategoryUpdateInput!) { categoryUpdate(input: $input) { errors { field message } } }",
                "categoryUpdate",
                json!({
                    "slug": category.slug,
                    "name": field(&form, "name"),
                    "hsnCode": field(&form, "hsnCode"),
                    "gstRateBp": rate,
                    "isFood": food,
                    "attributeSchema": schema,
                }),
            )
            .await;
        errors = match answer {
            Ok(errors) => to_rows(errors, &rows),
            Err(response) => return response,
        };
        if errors.is_empty() {
            return console
                .ctx
                .redirect("/console/registers/categories?done=category");
        }
    }
    render_edit(&console, &category, Some(&form), &errors, false)
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/console/registers/categories", web::get().to(list))
        .route("/console/registers/categories/{slug}", web::get().to(edit))
        .route("/console/registers/categories/{slug}", web::post().to(save));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn gst_rates_as_percentages() {
        assert_eq!(percent(500), "5%");
        assert_eq!(percent(1800), "18%");
        assert_eq!(percent(250), "2.5%");
        assert_eq!(percent(0), "0%");
        assert_eq!(percent(25), "0.25%");
    }

    fn form(pairs: &[(&str, &str)]) -> FormData {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn blank_and_removed_rows_are_not_sent_and_errors_find_their_row() {
        let t = Tr { lang: Lang::En };
        let form = form(&[
            ("rows", "4"),
            ("attributeSchema.0.key", "gone"),
            ("attributeSchema.0.label", "Gone"),
            ("attributeSchema.0.kind", "TEXT"),
            ("attributeSchema.0.remove", "1"),
            ("attributeSchema.1.kind", "TEXT"),
            ("attributeSchema.2.key", "processing"),
            ("attributeSchema.2.label", "Processing"),
            ("attributeSchema.2.kind", "ENUM"),
            ("attributeSchema.2.required", "true"),
            (
                "attributeSchema.2.options",
                "cold pressed\npasteurised, raw",
            ),
            ("attributeSchema.3.key", "Bad Key"),
            ("attributeSchema.3.label", "Bad"),
            ("attributeSchema.3.kind", "NUMBER"),
            ("attributeSchema.3.options", "ignored"),
        ]);
        let mut errors = Errors::default();
        let (schema, rows) = schema_of(&t, &form, &mut errors);
        assert!(errors.is_empty());
        assert_eq!(rows, [2, 3]);
        assert_eq!(
            schema[0],
            json!({ "key": "processing", "label": "Processing", "kind": "ENUM", "required": true,
                    "options": ["cold pressed", "pasteurised", "raw"] })
        );
        assert_eq!(schema[1]["options"], json!([]));
        let api = Errors(vec![
            ("attributeSchema.1.key".into(), "lower_snake_case".into()),
            ("hsnCode".into(), "digits".into()),
        ]);
        let mapped = to_rows(api, &rows);
        assert_eq!(
            mapped.of("attributeSchema.3.key").as_deref(),
            Some("lower_snake_case")
        );
        assert_eq!(mapped.of("hsnCode").as_deref(), Some("digits"));
    }

    #[test]
    fn a_filled_row_needs_its_kind_and_a_key_once() {
        let t = Tr { lang: Lang::En };
        let form = form(&[
            ("rows", "2"),
            ("attributeSchema.0.key", "form"),
            ("attributeSchema.0.label", "Form"),
            ("attributeSchema.1.key", "form"),
            ("attributeSchema.1.label", "Form again"),
            ("attributeSchema.1.kind", "TEXT"),
        ]);
        let mut errors = Errors::default();
        schema_of(&t, &form, &mut errors);
        assert!(errors.of("attributeSchema.0.kind").is_some());
        assert!(errors.of("attributeSchema.1.key").is_some());
    }
}
