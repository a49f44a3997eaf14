//! A running web app on a fresh database, and a small cookie-keeping client
//! that speaks to it over real HTTP.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use settlebridge::domain::access::Role;
use settlebridge::store::LedgerStore;
use settlebridge::web::{self, AppState, WebConfig};

pub const USERS: [(&str, &str, Role); 3] = [
    ("ada", "admin-password-1", Role::Admin),
    ("carl", "accountant-password-1", Role::Accountant),
    ("olga", "auditor-password-1", Role::Auditor),
];

pub const SHOPS: &str = r#"
[[shop]]
name = "amazon-us"
channel = "amazon"
currency = "USD"
time_zone = "UTC"
clearing_account = "1212"
"#;

pub struct App {
    pub base: String,
    pub store: Arc<dyn LedgerStore>,
    pub dir: tempfile::TempDir,
    pub netsuite: Option<fake_netsuite::FakeNetSuite>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for App {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl App {
    pub fn mappings(&self) -> PathBuf {
        self.dir.path().join("gl-mappings")
    }
}

/// A fresh SQLite database with the shipped chart and mappings, one user per
/// role, and the app serving on a free port.
pub async fn start(max_upload_bytes: usize) -> App {
    start_with(max_upload_bytes, false).await
}

/// With `netsuite`, a fake NetSuite runs beside the app and its "post"
/// button posts there.
pub async fn start_with(max_upload_bytes: usize, netsuite: bool) -> App {
    let dir = tempfile::tempdir().unwrap();
    super::cli::use_shipped_mappings(dir.path());
    std::fs::write(dir.path().join("gl-mappings/shops.toml"), SHOPS).unwrap();
    let url = format!("sqlite://{}", dir.path().join("web.db").display());
    let store: Arc<dyn LedgerStore> = Arc::from(settlebridge::store::connect(&url).await.unwrap());
    let (chart, _) =
        settlebridge::gl_mappings::load_chart(&dir.path().join("gl-mappings")).unwrap();
    store.sync_chart(&chart).await.unwrap();
    for (name, password, role) in USERS {
        store
            .create_user(name, role, &web::hash_password(password).unwrap())
            .await
            .unwrap();
    }
    let mut config = WebConfig::new(dir.path().join("gl-mappings"));
    config.max_upload_bytes = max_upload_bytes;
    config.spool_dir = dir.path().to_path_buf();
    let mut fake = None;
    if netsuite {
        let (f, ns, _) =
            settlebridge::netsuite::local_fake::start_local_fake(store.as_ref(), &chart)
                .await
                .unwrap();
        config.netsuite = Some(ns);
        fake = Some(f);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(store.clone(), config);
    let server = tokio::spawn(async move {
        web::serve(listener, state).await.unwrap();
    });
    App {
        base,
        store,
        dir,
        netsuite: fake,
        server,
    }
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn location(&self) -> Option<&str> {
        self.headers.get("location").and_then(|v| v.to_str().ok())
    }
}

/// A browser without JavaScript: keeps cookies, follows nothing by itself.
pub struct Browser {
    pub base: String,
    client: reqwest::Client,
    pub cookies: HashMap<String, String>,
    /// The CSRF token of the last page that had a form.
    pub csrf: Option<String>,
}

/// The `value` of the first `<input name="NAME" value="…">` in a page.
pub fn input_value(body: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker)? + marker.len();
    let end = body[start..].find('"')? + start;
    Some(body[start..end].to_string())
}

impl Browser {
    pub fn new(app: &App) -> Self {
        Browser {
            base: app.base.clone(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
            csrf: None,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(&mut self, r: reqwest::Response) -> Reply {
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap();
            let (k, val) = pair.split_once('=').unwrap();
            if v.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), val.to_string());
            }
        }
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.text().await.unwrap();
        if let Some(t) = input_value(&body, "csrf") {
            self.csrf = Some(t);
        }
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.finish(r).await
    }

    pub async fn get_bytes(&mut self, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        (status, headers, r.bytes().await.unwrap().to_vec())
    }

    /// Posts a form as a browser would, with this session's CSRF token
    /// unless `csrf` is given.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let token = self.csrf.clone().unwrap_or_default();
        let mut all: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all, None).await
    }

    pub async fn post_raw(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        origin: Option<&str>,
    ) -> Reply {
        let mut req = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .form(fields);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        let r = req.send().await.unwrap();
        self.finish(r).await
    }

    /// A multipart POST of exactly these text fields, in this order, to
    /// `path` (no token added): what a forged or reordered form sends.
    pub async fn post_multipart(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        self.send_multipart(path, form).await
    }

    async fn send_multipart(&mut self, path: &str, form: reqwest::multipart::Form) -> Reply {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.finish(r).await
    }

    pub async fn upload(&mut self, files: &[(&str, Vec<u8>)], shop: Option<&str>) -> Reply {
        let token = self.csrf.clone().unwrap_or_default();
        // The token first, as the page's form sends it.
        let mut form = reqwest::multipart::Form::new().text("csrf", token);
        if let Some(s) = shop {
            form = form.text("shop", s.to_string());
        }
        for (name, bytes) in files {
            form = form.part(
                "files",
                reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()),
            );
        }
        self.send_multipart("/upload", form).await
    }

    pub async fn login(&mut self, user: &str, password: &str) -> Reply {
        let page = self.get("/login").await;
        let token = input_value(&page.body, "token").expect("the login form has a token");
        let r = self
            .post_raw(
                "/login",
                &[
                    ("user", user),
                    ("password", password),
                    ("token", &token),
                    ("next", "/"),
                ],
                None,
            )
            .await;
        if r.status == 303 {
            // The dashboard's forms carry the session's CSRF token.
            self.get("/").await;
        }
        r
    }
}

pub async fn logged_in(app: &App, user: &str) -> Browser {
    let (_, password, _) = USERS.iter().find(|(n, _, _)| *n == user).unwrap();
    let mut b = Browser::new(app);
    let r = b.login(user, password).await;
    assert_eq!(r.status, 303, "login of {user}: {}", r.body);
    b
}
