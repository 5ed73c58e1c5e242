//! The OpenAPI 3.1 document, generated from the registered routes.

use actix_web::App;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "b2mms",
        description = "Membership management for large scientific collaborations: institutions, people, accounts, registration and the records that drive author lists, mailing lists and voting. Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `code`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    modifiers(&BearerAuth),
    // Types only query parameters name, which the routes do not collect by themselves.
    components(schemas(
        b2mms_shared::AuditAction,
        b2mms_shared::DirectorySort,
        b2mms_shared::SortOrder,
        b2mms_shared::TransferState,
        b2mms_shared::ApplicationState
    )),
    tags(
        (name = "health", description = "Liveness"),
        (name = "auth", description = "Sessions and passwords"),
        (name = "institutions", description = "Institutions and their representatives"),
        (name = "members", description = "People, accounts and roles; membership periods, affiliations, leaving, reactivation and changes of institution"),
        (name = "groups", description = "Groups, their managers and members, and applications to join"),
        (name = "authors", description = "Author lists: the policy, individual decisions, the forecast, lists with their review and sign-offs, differences and exports (INSPIRE authors.xml, REVTeX, text, CSV)"),
        (name = "mailing-lists", description = "Mailing lists kept from the records: their audience rules, subscribers and the lists a member is on"),
        (name = "voting", description = "Electorates as rules on the records, elections, secret ballots with receipts, results"),
        (name = "invitations", description = "Invitations to register, by institutional representatives"),
        (name = "registrations", description = "Registration: identity (invitation or certificate), the form, approval, provisioning"),
        (name = "audit", description = "The audit trail"),
        (name = "service-tokens", description = "Scoped API tokens for collaboration tools"),
        (name = "mail", description = "The outbox of messages not delivered yet"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The document of every registered route, with the contract (`http::contract`) applied.
pub fn document() -> utoipa::openapi::OpenApi {
    let generated = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(utoipa_actix_web::scope("/api/v1").configure(super::api_v1))
        .service(super::auth::jwks)
        .split_for_parts()
        .1;
    let mut doc = serde_json::to_value(&generated)
        .unwrap_or_else(|e| unreachable!("the OpenAPI document serialises: {e}"));
    super::contract::apply(&mut doc);
    serde_json::from_value(doc)
        .unwrap_or_else(|e| unreachable!("the contract keeps the document valid: {e}"))
}

/// `GET /api/v1/openapi.json`.
pub async fn serve(state: actix_web::web::Data<crate::app::AppState>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Cache-Control", "no-cache"))
        .body(state.openapi_json.to_string())
}

/// The base document, for composing with routes.
pub fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The document as pretty JSON, as committed in `openapi/openapi.json`.
pub fn document_json() -> String {
    pretty_json(document())
}

/// `document` as pretty JSON with a final newline.
pub fn pretty_json(document: utoipa::openapi::OpenApi) -> String {
    let mut text = document
        .to_pretty_json()
        .unwrap_or_else(|e| unreachable!("the OpenAPI document serialises: {e}"));
    text.push('\n');
    text
}
