//! `serve` on a real socket: requests over TCP, a chunked body over the
//! size limit, and graceful shutdown.

use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use crate::util::{ADMIN_PASSWORD, Node, OBJECTS, TAXII, basic, test_config};

/// Sends raw HTTP/1.1 and reads until the server closes the connection.
async fn exchange(addr: std::net::SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connects");
    stream.write_all(request).await.expect("request sent");
    let mut response = Vec::new();
    let read =
        tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response)).await;
    assert!(read.is_ok(), "the server answered within 10 s");
    String::from_utf8_lossy(&response).into_owned()
}

#[tokio::test]
async fn serves_over_tcp_and_shuts_down_gracefully() {
    let node = Node::new().await;
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds port 0");
    let addr = listener.local_addr().expect("bound address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(charter_server::serve(listener, node.hub.clone(), async {
        let _ = stopped.await;
    }));

    let auth = basic("admin", ADMIN_PASSWORD);
    let discovery = exchange(
        addr,
        format!("GET /taxii2/ HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {auth}\r\nAccept: {TAXII}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )
    .await;
    assert!(discovery.starts_with("HTTP/1.1 200"), "{discovery}");
    assert!(
        discovery.contains(&format!("\"api_roots\":[\"http://{addr}/default/\"]")),
        "{discovery}"
    );

    let anonymous = exchange(
        addr,
        b"GET /taxii2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(anonymous.starts_with("HTTP/1.1 401"), "{anonymous}");
    assert!(
        anonymous
            .to_ascii_lowercase()
            .contains("www-authenticate: basic realm=\"charter\""),
        "{anonymous}"
    );

    // A chunked body (no Content-Length) larger than max_content_length.
    let chunk = "x".repeat(4096);
    let mut request = format!(
        "POST {OBJECTS} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {auth}\r\nContent-Type: {TAXII}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    let chunks = test_config().max_content_length as usize / chunk.len() + 2;
    for _ in 0..chunks {
        request.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
    }
    request.push_str("0\r\n\r\n");
    let too_large = exchange(addr, request.as_bytes()).await;
    assert!(too_large.starts_with("HTTP/1.1 413"), "{too_large}");
    assert!(
        too_large.contains("\"error_code\":\"payload_too_large\""),
        "{too_large}"
    );

    stop.send(()).expect("server still running");
    let result = tokio::time::timeout(Duration::from_secs(10), server).await;
    let joined = result
        .expect("shut down within 10 s")
        .expect("server task did not panic");
    assert!(joined.is_ok(), "{joined:?}");
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "no longer listening"
    );
}
