//! hyper's own error answers as problem documents.
//!
//! When a request cannot even be parsed (a URI over 64 KiB, header fields too large, a broken
//! request line), hyper answers by itself, before any service sees the request, with an empty
//! `414`, `431` or `400` and closes the connection. hyper has no hook for that answer, so the
//! connection's writer recognises those heads (a 400, 414 or 431 with `content-length: 0`, which
//! the service itself never sends: every error it sends has a problem body) and writes a problem
//! document with the same status instead, like every other error of the service.

use crate::error::Problem;
use axum::http::StatusCode;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection whose writer replaces hyper's automatic error heads.
pub struct ErrorHeads<T> {
    inner: T,
    /// A replacement answer still to be written, and how much of it is out.
    pending: Vec<u8>,
    sent: usize,
}

impl<T> ErrorHeads<T> {
    /// Wraps a connection.
    pub fn new(inner: T) -> ErrorHeads<T> {
        ErrorHeads {
            inner,
            pending: Vec::new(),
            sent: 0,
        }
    }
}

impl<T: AsyncWrite + Unpin> ErrorHeads<T> {
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.pending.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        if !self.pending.is_empty() {
            self.pending = Vec::new();
            self.sent = 0;
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ErrorHeads<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ErrorHeads<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        ready!(this.poll_pending(cx))?;
        if let Some(answer) = replacement(buf) {
            this.pending = answer;
            this.sent = 0;
            // Written or not yet, hyper's bytes are taken care of; the rest goes out on the
            // next write, flush or shutdown.
            let _ = this.poll_pending(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    // One buffer per write, so that a head is always seen whole (hyper then flattens).
    fn is_write_vectored(&self) -> bool {
        false
    }
}

/// The problem answer for one of hyper's automatic error heads, if `buf` is one.
fn replacement(buf: &[u8]) -> Option<Vec<u8>> {
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&buf[..head_end]).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let code = status_line
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| status_line.strip_prefix("HTTP/1.0 "))?
        .get(..3)?;
    let (status, slug, detail) = match code {
        "414" => (
            StatusCode::URI_TOO_LONG,
            "uri-too-long",
            "the URL is longer than this service accepts (64 KiB); shorten it",
        ),
        "431" => (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers-too-large",
            "the request's header fields are larger than this service accepts",
        ),
        "400" => (
            StatusCode::BAD_REQUEST,
            "bad-request",
            "the request could not be read as HTTP",
        ),
        _ => return None,
    };
    let mut empty = false;
    let mut date = None;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => empty = value.trim() == "0",
            "transfer-encoding" => return None,
            "date" => date = Some(value.trim()),
            _ => {}
        }
    }
    if !empty {
        return None;
    }
    let body = serde_json::to_vec(&Problem::new(status, slug, detail).body()).ok()?;
    let mut out = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: {}\r\ncontent-length: {}\r\nconnection: close\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        crate::error::PROBLEM_JSON,
        body.len()
    );
    for (name, value) in crate::middleware::SECURITY_HEADERS {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!(
        "content-security-policy: {}\r\n",
        crate::middleware::CSP_DATA
    ));
    if let Some(d) = date {
        out.push_str(&format!("date: {d}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(&body);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::replacement;

    fn parse(answer: &[u8]) -> (String, serde_json::Value) {
        let text = String::from_utf8(answer.to_vec()).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        (head.to_owned(), serde_json::from_str(body).unwrap())
    }

    #[test]
    fn hyper_error_heads_become_problem_documents() {
        let hyper = b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\ndate: Wed, 02 Dec 2026 05:00:00 GMT\r\n\r\n";
        let (head, body) = parse(&replacement(hyper).expect("rewritten"));
        assert!(head.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{head}");
        assert!(head.contains("content-type: application/problem+json"));
        assert!(head.contains("x-content-type-options: nosniff"));
        assert!(head.contains("date: Wed, 02 Dec 2026 05:00:00 GMT"));
        assert_eq!(body["status"], 414);
        assert_eq!(body["type"], "https://koppel.example/problems/uri-too-long");
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(len, serde_json::to_vec(&body).unwrap().len());
        for code in ["400 Bad Request", "431 Request Header Fields Too Large"] {
            let h = format!("HTTP/1.1 {code}\r\ncontent-length: 0\r\n\r\n");
            assert!(replacement(h.as_bytes()).is_some(), "{code}");
        }
    }

    #[test]
    fn answers_of_the_service_pass_unchanged() {
        for head in [
            // The service's own errors always have a body.
            &b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\ncontent-length: 120\r\n\r\n{"[..],
            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 414 URI Too Long\r\ntransfer-encoding: chunked\r\n\r\n",
            b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\n",
            b"{\"a\":1}",
        ] {
            assert!(replacement(head).is_none(), "{}", String::from_utf8_lossy(head));
        }
    }
}
