//! The web frontend: static files of the built single-page app, with `index.html` for every
//! client-side route. Content-hashed assets are cached for a year; `index.html` is revalidated.
//! A file built with a brotli (`.br`) or gzip (`.gz`) twin is sent as that twin to browsers that
//! accept it, so nothing is compressed per request.

use std::path::{Component, Path, PathBuf};

use actix_files::NamedFile;
use actix_web::http::header::{
    self, AcceptEncoding, ContentEncoding, Encoding, Header, HeaderValue,
};
use actix_web::{HttpRequest, HttpResponse};

use crate::app::AppState;
use crate::error::{AppError, AppResult};

/// A relative path inside the web directory, or `None` if it tries to leave it.
fn inside(dir: &Path, rel: &str) -> Option<PathBuf> {
    let rel = Path::new(rel);
    rel.components()
        .all(|c| matches!(c, Component::Normal(s) if !s.to_string_lossy().starts_with('.')))
        .then(|| dir.join(rel))
}

/// Whether a file name carries a content hash (`name-<16+ hex>.ext`).
fn is_hashed(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let stem = name.split('.').next().unwrap_or(name);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() >= 16 && hash.chars().all(|c| c.is_ascii_hexdigit()))
}

fn with_cache(mut res: HttpResponse, immutable: bool) -> HttpResponse {
    let value = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    res
}

/// Opens a file off the async executor.
async fn open(path: PathBuf) -> std::io::Result<NamedFile> {
    actix_web::rt::task::spawn_blocking(move || NamedFile::open(path))
        .await
        .map_err(std::io::Error::other)?
}

/// The precompressed twins a file may have, best first: (encoding, file suffix).
const TWINS: [(ContentEncoding, &str); 2] = [
    (ContentEncoding::Brotli, "br"),
    (ContentEncoding::Gzip, "gz"),
];

/// Whether the request accepts an encoding (a q-value above zero, or `*`).
fn accepts(accept: Option<&AcceptEncoding>, encoding: ContentEncoding) -> bool {
    let wanted = match encoding {
        ContentEncoding::Brotli => Encoding::brotli(),
        _ => Encoding::gzip(),
    };
    accept.is_some_and(|a| a.negotiate([wanted.clone()].iter()) == Some(wanted))
}

/// Opens the file for this request: its best accepted precompressed twin, labelled with the
/// original's type and the twin's encoding, or else the file itself.
async fn open_negotiated(req: &HttpRequest, path: PathBuf) -> std::io::Result<NamedFile> {
    let accept = AcceptEncoding::parse(req).ok();
    for (encoding, suffix) in TWINS {
        if !accepts(accept.as_ref(), encoding) {
            continue;
        }
        let mut twin = path.clone().into_os_string();
        twin.push(".");
        twin.push(suffix);
        if let Ok(file) = open(twin.into()).await
            && file.metadata().is_file()
        {
            let mime = mime_guess::from_path(&path).first_or_octet_stream();
            return Ok(file
                .set_content_type(mime)
                .set_content_encoding(encoding)
                .disable_content_disposition());
        }
    }
    open(path).await
}

/// Marks a response as depending on `Accept-Encoding`, for caches in between.
fn varies(mut res: HttpResponse) -> HttpResponse {
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    res
}

pub async fn serve(req: &HttpRequest, state: &AppState) -> AppResult<HttpResponse> {
    let dir = &state.config.web_dir;
    let rel = req.path().trim_start_matches('/');
    if !rel.is_empty() {
        if let Some(path) = inside(dir, rel)
            && let Ok(file) = open_negotiated(req, path).await
            && file.metadata().is_file()
        {
            return Ok(varies(with_cache(
                file.prefer_utf8(true).into_response(req),
                is_hashed(rel),
            )));
        }
        // A missing asset is a 404, not the app: only extension-less paths are client routes.
        if rel
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'))
        {
            return Err(AppError::NotFound { what: "file" });
        }
    }
    match open_negotiated(req, dir.join("index.html")).await {
        Ok(file) => Ok(varies(with_cache(
            file.prefer_utf8(true).into_response(req),
            false,
        ))),
        Err(_) => Ok(HttpResponse::ServiceUnavailable()
            .content_type("text/plain; charset=utf-8")
            .body(format!(
                "The b2mms API is running, but the web frontend is not built in {}.\n\
                 Build it with `cargo run -p xtask -- web` (or use scripts/run), or set B2MMS_WEB_DIR.\n\
                 The API documentation is at /api/docs.\n",
                dir.display()
            ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside() {
        let dir = Path::new("/srv/web");
        assert_eq!(
            inside(dir, "a/b.js"),
            Some(PathBuf::from("/srv/web/a/b.js"))
        );
        assert_eq!(inside(dir, "../etc/passwd"), None);
        assert_eq!(inside(dir, "a/../../x"), None);
        assert_eq!(inside(dir, ".git/config"), None);
        assert_eq!(inside(dir, "/etc/passwd"), None);
    }

    #[test]
    fn hashed_names() {
        assert!(is_hashed("b2mms-0123456789abcdef.js"));
        assert!(!is_hashed("assets/b2mms-0123456789abcdef_bg.wasm"));
        assert!(is_hashed("b2mms_bg-0123456789abcdef.wasm"));
        assert!(!is_hashed("index.html"));
        assert!(!is_hashed("b2mms-frontend.js"));
    }
}
