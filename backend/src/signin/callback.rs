//! The one-shot loopback listener of a browser sign-in (RFC 8252 §7.3, §8.3): bound to
//! `127.0.0.1` on a port the OS picks, it answers only `GET /callback` (anything else gets a
//! 404 and the listener goes on waiting), takes the first callback, and closes: the port is
//! free again as soon as [`Listener::wait`] returns. The page the browser then shows is plain
//! HTML with no script, written once the sign-in's outcome is known.

use std::collections::HashMap;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// The most a request head may take; a browser's callback is far smaller.
const MAX_HEAD: usize = 16 * 1024;
/// How long one connection may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// The callback's path.
pub const CALLBACK_PATH: &str = "/callback";

/// A bound, not yet answered, callback listener.
#[derive(Debug)]
pub(crate) struct Listener {
    listener: TcpListener,
    port: u16,
}

/// The callback's query parameters, and the browser waiting for its page.
#[derive(Debug)]
pub(crate) struct Callback {
    /// The query parameters (`code`, `state`, `iss`, or `error` and `error_description`).
    pub params: HashMap<String, String>,
    browser: TcpStream,
}

impl Listener {
    /// A listener on `127.0.0.1` and a free port.
    pub(crate) async fn bind() -> std::io::Result<Listener> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        Ok(Listener { listener, port })
    }

    /// The redirect URI to register with the provider for this sign-in.
    pub(crate) fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// The first callback within `timeout` (`None`: none came); the listener is closed on
    /// return either way.
    pub(crate) async fn wait(self, timeout: Duration) -> Option<Callback> {
        let deadline = Instant::now() + timeout;
        loop {
            let accepted = tokio::time::timeout_at(deadline, self.listener.accept()).await;
            let Ok(Ok((mut stream, _))) = accepted else {
                // The deadline, or an accept error that waiting longer would not cure.
                return None;
            };
            let head = tokio::time::timeout(READ_TIMEOUT, read_head(&mut stream)).await;
            match head.ok().flatten().as_deref().map(parse_request) {
                Some(Some((path, query))) if path == CALLBACK_PATH => {
                    let params = url::form_urlencoded::parse(query.as_bytes())
                        .into_owned()
                        .collect();
                    return Some(Callback {
                        params,
                        browser: stream,
                    });
                }
                Some(Some(_)) => {
                    let _ = respond(&mut stream, "404 Not Found", "Not found", "").await;
                }
                _ => {
                    let _ = respond(&mut stream, "400 Bad Request", "Bad request", "").await;
                }
            }
        }
    }
}

impl Callback {
    /// Shows the browser `title` and `message` (escaped) and closes the connection.
    pub(crate) async fn finish(mut self, title: &str, message: &str) {
        let _ = respond(&mut self.browser, "200 OK", title, message).await;
    }
}

/// The request head of `stream`, up to its blank line (`None`: too long, or cut short).
async fn read_head(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut head = Vec::with_capacity(1024);
    let mut buffer = [0_u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let read = stream.read(&mut buffer).await.ok()?;
        if read == 0 || head.len() + read > MAX_HEAD {
            return None;
        }
        head.extend_from_slice(&buffer[..read]);
    }
    Some(head)
}

/// The path and query of a `GET` request head (`None`: not a whole `GET`).
fn parse_request(head: &[u8]) -> Option<(String, String)> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(head) {
        Ok(httparse::Status::Complete(_)) if request.method == Some("GET") => {
            let target = request.path?;
            let (path, query) = target.split_once('?').unwrap_or((target, ""));
            Some((path.to_owned(), query.to_owned()))
        }
        _ => None,
    }
}

/// Writes a whole HTTP response: a small HTML page, no script, not cached, then closes.
async fn respond(
    stream: &mut TcpStream,
    status: &str,
    title: &str,
    message: &str,
) -> std::io::Result<()> {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body style=\"font-family: sans-serif; margin: 3em\"><h1>{title}</h1><p>{message}</p></body></html>",
        title = escape(title),
        message = escape(message),
    );
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nContent-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n\
         Referrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

/// `text` safe inside HTML.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_whole_get_is_a_request() {
        let get = b"GET /callback?code=a%2Bb&state=s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        assert_eq!(
            parse_request(get),
            Some(("/callback".to_owned(), "code=a%2Bb&state=s".to_owned()))
        );
        assert_eq!(
            parse_request(b"POST /callback HTTP/1.1\r\nHost: x\r\n\r\n"),
            None
        );
        assert_eq!(parse_request(b"GET /callback HTTP/1.1\r\nHo"), None);
        assert_eq!(parse_request(b"\x00\x01garbage\r\n\r\n"), None);
    }

    #[test]
    fn a_page_cannot_carry_markup() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"more\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;"
        );
    }
}
