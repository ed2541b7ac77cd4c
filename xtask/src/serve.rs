//! A small static file server for the end-to-end tests: it serves `dist/` on 127.0.0.1 only, on a
//! port the operating system picks, and stops when dropped.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

/// A running server; dropping it stops it.
pub struct StaticServer {
    port: u16,
    prefix: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StaticServer {
    /// Serves `dir` on 127.0.0.1 on a free port.
    pub fn start(dir: &Path) -> Result<StaticServer, String> {
        StaticServer::start_on(dir, 0, "/")
    }

    /// Serves `dir` on 127.0.0.1:`port` (0: a free port) under the URL path `prefix` (such as
    /// `/courses/kms/`), as a course site hosting the app in a sub-folder does; anything outside
    /// it is 404.
    pub fn start_on(dir: &Path, port: u16, prefix: &str) -> Result<StaticServer, String> {
        let prefix = format!("/{}/", prefix.trim_matches('/')).replace("//", "/");
        let listener = TcpListener::bind(("127.0.0.1", port))
            .map_err(|e| format!("cannot bind 127.0.0.1:{port}: {e}"))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let stop = Arc::new(AtomicBool::new(false));
        let dir = dir.to_path_buf();
        let stop_flag = Arc::clone(&stop);
        let mount = prefix.clone();
        let thread = std::thread::spawn(move || {
            while !stop_flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let dir = dir.clone();
                        let mount = mount.clone();
                        std::thread::spawn(move || serve_one(stream, &dir, &mount));
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(5)),
                }
            }
        });
        Ok(StaticServer {
            port,
            prefix,
            stop,
            thread: Some(thread),
        })
    }

    /// Serves until the process is stopped.
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }

    /// `http://127.0.0.1:PORT/` and the prefix.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, self.prefix)
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve_one(stream: TcpStream, dir: &Path, prefix: &str) {
    let _ = stream.set_nonblocking(false);
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Drain the headers; the body of a GET is empty.
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
        header.clear();
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let inside = path
        .strip_prefix(prefix)
        .or_else(|| (path == prefix.trim_end_matches('/')).then_some(""));
    let (status, content_type, body) = match inside
        .and_then(|p| resolve(dir, p))
        .and_then(|p| std::fs::read(&p).ok().map(|b| (p, b)))
    {
        Some((file, body)) => ("200 OK", content_type(&file), body),
        None => ("404 Not Found", "text/plain", b"not found".to_vec()),
    };
    let mut stream = stream;
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(&body));
}

/// The file for a URL path inside `dir`; `..` never escapes it.
fn resolve(dir: &Path, url_path: &str) -> Option<PathBuf> {
    let relative = Path::new(url_path.trim_start_matches('/'));
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let file = dir.join(relative);
    if file.is_dir() {
        Some(file.join("index.html"))
    } else {
        Some(file)
    }
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") | Some("mjs") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// Total bytes of the files in `dir`, raw and gzip -9 compressed.
pub fn dist_size(dir: &Path) -> Result<(u64, u64), String> {
    let mut raw = 0;
    let mut gzipped = 0;
    for path in files_in(dir)? {
        raw += std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        gzipped += gzipped_size(&path)?;
    }
    Ok((raw, gzipped))
}

/// The gzip -9 bytes a browser needs before it can paint the first matrix: the page, which
/// carries the lecture's matrix as static HTML, and its stylesheet (render-blocking). The module
/// script and the WebAssembly load after that paint.
pub fn first_matrix_size(dir: &Path) -> Result<u64, String> {
    gzipped_size_of(dir, |name| name == "index.html" || name.ends_with(".css"))
}

/// The prefix of the files the page loads only when it needs them: the RSA and elliptic-curve
/// module (Trunk names it after its crate, without a hash).
pub const ON_DEMAND_PREFIX: &str = "kms-asymmetric";

/// The gzip -9 bytes of the files loaded on demand ([`ON_DEMAND_PREFIX`]).
pub fn on_demand_size(dir: &Path) -> Result<u64, String> {
    gzipped_size_of(dir, |name| name.starts_with(ON_DEMAND_PREFIX))
}

/// The gzip -9 bytes of the files of `dir` whose names `wanted` says yes to.
fn gzipped_size_of(dir: &Path, wanted: impl Fn(&str) -> bool) -> Result<u64, String> {
    let mut total = 0;
    for path in files_in(dir)? {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if wanted(name) {
            total += gzipped_size(&path)?;
        }
    }
    Ok(total)
}

fn files_in(dir: &Path) -> Result<Vec<std::path::PathBuf>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    Ok(entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect())
}

fn gzipped_size(path: &Path) -> Result<u64, String> {
    let out = std::process::Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run gzip: {e}"))?;
    Ok(out.stdout.len() as u64)
}
