//! What every page shares: the layout (who is signed in, the menu, the CSRF
//! token for its forms), rendering, and the static files.

use askama::Template;
use axum::http::{header, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};

use super::auth::CurrentUser;
use super::WebError;
use crate::domain::access::Permission;

/// The frame around every page.
pub struct Layout {
    pub user: String,
    pub role: String,
    pub csrf: String,
    pub can_upload: bool,
    pub can_admin: bool,
    pub writes: bool,
    /// Which menu item is current.
    pub section: &'static str,
}

impl Layout {
    pub fn new(user: &CurrentUser, section: &'static str) -> Self {
        Layout {
            user: user.name().to_string(),
            role: user.role().to_string(),
            csrf: user.csrf.clone(),
            can_upload: user.can(Permission::Upload),
            can_admin: user.can(Permission::ManageUsers),
            writes: user.role().writes(),
            section,
        }
    }
    pub fn is(&self, section: &str) -> bool {
        self.section == section
    }
}

/// Renders a page template.
pub fn render<T: Template>(page: &T) -> Result<Response, WebError> {
    let html = page
        .render()
        .map_err(|e| WebError::Internal(anyhow::anyhow!("page could not be rendered: {e}")))?;
    Ok(Html(html).into_response())
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../templates/web/app.css"),
    )
        .into_response()
}

pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../templates/web/app.js"),
    )
        .into_response()
}

/// No icon: an empty answer keeps browsers from asking through the login redirect.
pub async fn favicon() -> StatusCode {
    StatusCode::NO_CONTENT
}

pub async fn not_found(uri: Uri) -> WebError {
    WebError::NotFound(format!("there is no page at {}", uri.path()))
}

pub fn url_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A download: the bytes with a file name.
pub fn attachment(bytes: Vec<u8>, content_type: &str, file_name: &str) -> Response {
    let safe: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// A redirect after a form (303: the browser GETs the target).
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}
