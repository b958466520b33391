//! A browser in miniature for the portal tests: a cookie jar and forms posted through the
//! real router.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use tollgate_http::{router, DEFAULT_MAX_BODY_BYTES};
use tower::ServiceExt;

use super::T;

pub const PASSWORD: &str = tollgate_app::demo::DEMO_PASSWORD;

/// A browser in miniature: one cookie jar, requests through the router.
pub struct Browser<'a> {
    t: &'a T,
    pub cookies: Vec<(String, String)>,
}

pub struct Answer {
    pub headers: axum::http::HeaderMap,
    pub status: StatusCode,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl<'a> Browser<'a> {
    pub fn new(t: &'a T) -> Browser<'a> {
        Browser {
            t,
            cookies: Vec::new(),
        }
    }

    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        form: Option<&[(&str, &str)]>,
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(path);
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header(header::COOKIE, jar.join("; "));
        }
        let body = match form {
            Some(f) => {
                req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                serde_urlencoded::to_string(f).unwrap()
            }
            None => String::new(),
        };
        let res = router(self.t.app.clone(), DEFAULT_MAX_BODY_BYTES)
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let location = res
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        let set_cookies: Vec<String> = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        for c in &set_cookies {
            let (kv, _) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = kv.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() && !c.contains("Max-Age=0") {
                self.cookies.push((k.to_string(), v.to_string()));
            }
        }
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        Answer {
            headers,
            status,
            location,
            set_cookies,
            body: String::from_utf8_lossy(&bytes).to_string(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        self.request("GET", path, None).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        self.request("POST", path, Some(form)).await
    }

    /// Signs in through the form; the answer of the post.
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Answer {
        let page = self.get("/portal/login").await;
        let csrf = csrf_in(&page.body);
        self.post(
            "/portal/login",
            &[
                ("_csrf", &csrf),
                ("email", email),
                ("password", password),
                ("next", "/portal/"),
            ],
        )
        .await
    }
}

/// The `_csrf` value of the first form on a page.
pub fn csrf_in(html: &str) -> String {
    let at = html
        .find("name=\"_csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 20;
    html[at..].split('"').next().unwrap().to_string()
}

pub fn email_of(who: &str) -> &'static str {
    tollgate_app::demo::TOKEN_USERS
        .iter()
        .find(|(k, _)| *k == who)
        .unwrap()
        .1
}

pub async fn account_id(t: &T, who: &str, name: &str) -> String {
    let (_, v) = t.get("/v1/billing-accounts?limit=100", who).await;
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == name)
        .unwrap_or_else(|| panic!("{name} missing"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}
