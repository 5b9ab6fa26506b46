//! The cooperative console at `/console`: staff sign in, see their dashboard, list and
//! prove products, keep stock and batches, print batch labels, and pack and ship their
//! orders; admins verify cooperatives. Built like the storefront (server-rendered,
//! every form working without JavaScript, 360 px first) on the same foundation, and
//! like it reading and writing only through the GraphQL schema: the API decides who
//! may do what; the console only keeps each member of staff to their own cooperative's
//! pages (another cooperative's product or order is a 404, as if it did not exist).

mod admin;
mod auth;
mod batches;
mod categories;
mod channels;
mod dashboard;
use crate::dates;
mod forms;
mod gi;
mod gi_register;
mod images;
mod import;
mod money;
mod orders;
mod products;
pub(crate) mod qr;
mod registers;
mod staff;
mod stock;
mod upload;

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use crate::{
    foundation::{Ctx, FormData, Layout, encode},
    graphql::GqlError,
};

/// `?saved=…` on a page a form redirected to: which change to confirm.
#[derive(serde::Deserialize)]
pub(super) struct SavedQuery {
    pub saved: Option<String>,
}

/// The signed-in member of staff or admin, as `me` tells.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Staff {
    pub name: String,
    pub role: String,
    pub cooperative_id: Option<String>,
    /// MANAGER or STAFF, for cooperative staff.
    #[serde(default)]
    pub cooperative_role: Option<String>,
}

impl Staff {
    pub fn is_admin(&self) -> bool {
        self.role == "ADMIN"
    }

    /// Admins and a cooperative's managers: who may refund and invite staff.
    pub fn is_manager(&self) -> bool {
        self.is_admin() || self.cooperative_role.as_deref() == Some("MANAGER")
    }
}

#[derive(Deserialize)]
struct MeData {
    me: Staff,
}

/// One console request: the page context and who is asking.
pub(crate) struct Console {
    pub ctx: Ctx,
    pub staff: Staff,
}

/// The console's page frame: the shared layout plus the console's own navigation.
pub(crate) struct Frame {
    pub layout: Layout,
    pub staff_name: String,
    pub admin: bool,
    pub has_cooperative: bool,
    /// A manager (or admin): sees the money pages and invites staff.
    pub manager: bool,
    /// Which navigation entry is the current page's.
    pub section: &'static str,
}

impl Console {
    /// Opens a console page: the visitor must be signed in as cooperative staff or an
    /// admin; anyone else is sent to sign in, or told the console is not theirs.
    /// [`Self::open`] for a posted form: also refuses it without its CSRF token or from
    /// another origin.
    pub async fn open_form(request: &HttpRequest, form: &FormData) -> Result<Self, HttpResponse> {
        let console = Self::open(request).await?;
        match console.ctx.csrf_refusal(form) {
            Some(refusal) => Err(refusal),
            None => Ok(console),
        }
    }

    pub async fn open(request: &HttpRequest) -> Result<Self, HttpResponse> {
        let mut ctx = Ctx::new(request);
        if !ctx.session.tokens.signed_in() {
            return Err(sign_in_redirect(&ctx));
        }
        let me: MeData = match ctx
            .run(
                "{ me { name role cooperativeId cooperativeRole } }",
                json!({}),
            )
            .await
        {
            Ok(me) => me,
            Err(error) => return Err(failure(&ctx, error)),
        };
        let staff = me.me;
        if !staff.is_admin() && (staff.role != "COOPERATIVE" || staff.cooperative_id.is_none()) {
            return Err(message(
                &ctx,
                StatusCode::FORBIDDEN,
                "con-not-staff",
                "con-not-staff-body",
            ));
        }
        Ok(Self { ctx, staff })
    }

    /// The cooperative this member of staff works for; admins have none, and the
    /// cooperative's pages are not found for them (they work through the admin pages).
    pub fn cooperative(&self) -> Option<String> {
        self.staff.cooperative_id.clone()
    }

    /// Whether a record of `cooperative_id` is this member of staff's to see.
    pub fn owns(&self, cooperative_id: &str) -> bool {
        self.staff.is_admin() || self.staff.cooperative_id.as_deref() == Some(cooperative_id)
    }

    pub fn frame(&self, title_key: &str, path: &str, section: &'static str) -> Frame {
        self.frame_titled(self.ctx.t.t(title_key), path, section)
    }

    pub fn frame_titled(&self, title: String, path: &str, section: &'static str) -> Frame {
        let mut layout = self.ctx.layout(title.clone(), title, path);
        layout.noindex = true;
        Frame {
            layout,
            staff_name: self.staff.name.clone(),
            admin: self.staff.is_admin(),
            has_cooperative: self.staff.cooperative_id.is_some(),
            manager: self.staff.is_manager(),
            section,
        }
    }

    /// The page for a failed document; a record that is not found or not ours is a
    /// 404 alike.
    pub fn failure(&self, error: GqlError) -> HttpResponse {
        failure(&self.ctx, error)
    }

    pub fn not_found(&self) -> HttpResponse {
        self.ctx.not_found_page()
    }

    /// The page for cooperative staff who open an admin's page: it exists, but is not
    /// theirs (unlike another cooperative's records, nothing is hidden by a 404).
    pub fn admins_only(&self) -> HttpResponse {
        message(
            &self.ctx,
            StatusCode::FORBIDDEN,
            "con-admins-only",
            "con-admins-only-body",
        )
    }

    /// Runs a mutation whose answer matters only for its `errors` (`{ errors { field
    /// message } }` selected under `name`) with `{ "input": input }`, and gives back the
    /// field errors (empty when it was done); a failed document is its error page.
    pub async fn mutate(
        &mut self,
        document: &str,
        name: &str,
        input: serde_json::Value,
    ) -> Result<forms::Errors, HttpResponse> {
        let answer: forms::ErrorsOnly = match self
            .ctx
            .run::<serde_json::Value>(document, json!({ "input": input }))
            .await
            .and_then(|data| forms::payload(&data, name))
        {
            Ok(answer) => answer,
            Err(error) => return Err(self.failure(error)),
        };
        Ok(forms::Errors::from_user_errors(&answer.errors))
    }
}

fn sign_in_redirect(ctx: &Ctx) -> HttpResponse {
    let here = match ctx.request.query_string() {
        "" => ctx.request.path().to_owned(),
        query => format!("{}?{query}", ctx.request.path()),
    };
    ctx.redirect(&format!("/console/sign-in?next={}", encode(&here)))
}

pub(crate) fn failure(ctx: &Ctx, error: GqlError) -> HttpResponse {
    match error {
        GqlError::Unauthenticated => sign_in_redirect(ctx),
        // Another cooperative's record is not found, whichever way the API refuses it.
        GqlError::NotFound | GqlError::Forbidden => ctx.not_found_page(),
        other => ctx.failure(other),
    }
}

#[derive(Template)]
#[template(path = "console/message.html")]
struct MessagePage {
    frame: Frame,
    heading: String,
    body: String,
}

fn message(ctx: &Ctx, status: StatusCode, heading: &str, body: &str) -> HttpResponse {
    let mut layout = ctx.layout(ctx.t.t(heading), ctx.t.t(heading), "/console");
    layout.noindex = true;
    let frame = Frame {
        layout,
        staff_name: String::new(),
        admin: false,
        has_cooperative: false,
        manager: false,
        section: "",
    };
    ctx.render(
        status,
        &MessagePage {
            frame,
            heading: ctx.t.t(heading),
            body: ctx.t.t(body),
        },
    )
}

/// The origin absolute links printed on paper use: the configured public one, else the
/// one this page was asked for.
pub(crate) fn public_origin(request: &HttpRequest) -> String {
    request
        .app_data::<web::Data<crate::PublicUrl>>()
        .and_then(|url| url.0.clone())
        .unwrap_or_else(|| {
            let info = request.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        })
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    auth::routes(config);
    dashboard::routes(config);
    products::routes(config);
    stock::routes(config);
    batches::routes(config);
    orders::routes(config);
    money::routes(config);
    staff::routes(config);
    registers::routes(config);
    gi_register::routes(config);
    categories::routes(config);
    admin::routes(config);
    gi::routes(config);
    import::routes(config);
}
