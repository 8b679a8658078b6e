//! A GET and a 100 kB POST with `reqwless`, unchanged, over the async
//! stack's `TcpConnect` and `Dns` (shared by the HTTPS example and tests).
//!
//! The module does the TLS: reqwless's own TLS is off, so it is given
//! `http://` URLs and the connection it gets from the stack is already TLS
//! to the server, named as reqwless's DNS lookup named it.

use reqwless::client::HttpClient;
use reqwless::request::{Method, RequestBuilder};

/// What came back: the GET's body, and the hash the server computed of the
/// POST's body.
pub struct HttpsReport {
    /// `GET /hello`'s body.
    pub hello: Vec<u8>,
    /// `POST /upload`'s answer: the SHA-256 of what the server got, hex.
    pub upload_hash: String,
}

/// GET `/hello` and POST `upload` to `/upload` on `host:port` through
/// `stack`; `say` hears each step.
pub async fn https_session<S>(
    stack: &S,
    host: &str,
    port: u16,
    upload: &[u8],
    mut say: impl FnMut(String),
) -> Result<HttpsReport, String>
where
    S: embedded_nal_async::TcpConnect + embedded_nal_async::Dns,
{
    let mut client = HttpClient::new(stack, stack);
    let mut rx = vec![0u8; 32 * 1024];
    let url = format!("http://{host}:{port}/hello");
    let hello = {
        let mut request = client
            .request(Method::GET, &url)
            .await
            .map_err(|e| format!("GET: {e:?}"))?;
        let response = request
            .send(&mut rx)
            .await
            .map_err(|e| format!("GET: {e:?}"))?;
        let status = response.status;
        let body = response
            .body()
            .read_to_end()
            .await
            .map_err(|e| format!("GET body: {e:?}"))?;
        say(format!("GET /hello: {status:?}, {} bytes", body.len()));
        body.to_vec()
    };
    let url = format!("http://{host}:{port}/upload");
    let upload_hash = {
        let mut request = client
            .request(Method::POST, &url)
            .await
            .map_err(|e| format!("POST: {e:?}"))?
            .body(upload);
        let response = request
            .send(&mut rx)
            .await
            .map_err(|e| format!("POST: {e:?}"))?;
        let status = response.status;
        let body = response
            .body()
            .read_to_end()
            .await
            .map_err(|e| format!("POST body: {e:?}"))?;
        say(format!("POST /upload ({} bytes): {status:?}", upload.len()));
        String::from_utf8_lossy(body).to_string()
    };
    Ok(HttpsReport { hello, upload_hash })
}
