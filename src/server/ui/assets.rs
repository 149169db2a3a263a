//! The dashboard's static files, embedded in the binary (every file of `ui/`, with the gzipped
//! copies build.rs makes; a new file there is served at `/ui/assets/NAME` with no change here). Each answer carries a strong ETag (a SHA-256 prefix of the
//! bytes sent); a matching If-None-Match gets 304, and a browser that accepts gzip gets the
//! precompressed copy.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

pub const CSS_NAME: &str = "app.css";
pub const JS_NAME: &str = "app.js";

/// One embedded file: its type, plain and gzipped bytes.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    plain: &'static [u8],
    gzip: &'static [u8],
}

/// Every file of `ui/`, as build.rs lists them: (name, plain bytes, gzipped bytes).
const EMBEDDED: &[(&str, &[u8], &[u8])] = include!(concat!(env!("OUT_DIR"), "/ui_assets.rs"));

/// The content type a file's extension gives (the few kinds the dashboard serves).
fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

fn assets() -> &'static [Asset] {
    static ALL: OnceLock<Vec<Asset>> = OnceLock::new();
    ALL.get_or_init(|| {
        EMBEDDED
            .iter()
            .map(|&(name, plain, gzip)| Asset {
                name,
                content_type: content_type(name),
                plain,
                gzip,
            })
            .collect()
    })
}

fn etag(bytes: &[u8]) -> String {
    format!("\"{}\"", &hex::encode(Sha256::digest(bytes))[..20])
}

/// The ETags of every asset, plain and gzipped, computed once.
fn etags() -> &'static Vec<(String, String)> {
    static TAGS: OnceLock<Vec<(String, String)>> = OnceLock::new();
    TAGS.get_or_init(|| {
        assets()
            .iter()
            .map(|a| (etag(a.plain), etag(a.gzip)))
            .collect()
    })
}

/// Whether the client takes gzip (`Accept-Encoding: gzip`, not with q=0).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or("");
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
}

/// Whether If-None-Match names `tag` (or `*`).
fn not_modified(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == tag || t == "*")
}

/// GET /ui/assets/{name}.
pub async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(i) = assets().iter().position(|a| a.name == name) else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let asset = &assets()[i];
    let gzip = accepts_gzip(&headers);
    let (plain_tag, gzip_tag) = &etags()[i];
    let (bytes, tag) = if gzip {
        (asset.gzip, gzip_tag)
    } else {
        (asset.plain, plain_tag)
    };
    let mut r = if not_modified(&headers, tag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = ([(header::CONTENT_TYPE, asset.content_type)], bytes.to_vec()).into_response();
        if gzip {
            r.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        r
    };
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(tag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    // Revalidated on each use: cheap with the ETag, and a new binary's files show at once.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn gzip_is_taken_unless_refused() {
        assert!(accepts_gzip(&headers(&[(
            "accept-encoding",
            "gzip, deflate, br"
        )])));
        assert!(!accepts_gzip(&headers(&[(
            "accept-encoding",
            "gzip;q=0, br"
        )])));
        assert!(!accepts_gzip(&headers(&[])));
    }

    #[test]
    fn the_gzipped_copies_are_smaller_and_tags_differ() {
        assert!(assets().iter().any(|a| a.name == JS_NAME));
        assert!(assets().iter().any(|a| a.name == CSS_NAME));
        for (a, (p, g)) in assets().iter().zip(etags()) {
            assert!(a.gzip.len() < a.plain.len(), "{}", a.name);
            assert_ne!(p, g);
        }
        let tag = &etags()[0].0;
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_str(tag).unwrap());
        assert!(not_modified(&h, tag));
        assert!(!not_modified(&h, "\"other\""));
    }
}
