//! `serve` on a real socket: requests over TCP, a chunked body over the
//! size limit, graceful shutdown, and throttling by the client's address
//! (known only on a real connection).

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

#[tokio::test]
async fn failures_from_one_address_are_throttled_across_accounts() {
    let node = Node::new().await;
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds port 0");
    let addr = listener.local_addr().expect("bound address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(charter_server::serve(listener, node.hub.clone(), async {
        let _ = stopped.await;
    }));
    let get = |user: &str, password: &str| {
        format!(
            "GET /taxii2/ HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {}\r\nAccept: {TAXII}\r\nConnection: close\r\n\r\n",
            basic(user, password)
        )
    };
    // Each guess names another account, so only the client address (which
    // `serve` records per connection) can tie them together.
    for n in 0..charter_hub::ADDRESS_LIMIT {
        let reply = exchange(addr, get(&format!("guess{n}"), "wrong").as_bytes()).await;
        assert!(reply.starts_with("HTTP/1.1 401"), "{reply}");
    }
    let locked = exchange(addr, get("admin", ADMIN_PASSWORD).as_bytes()).await;
    assert!(locked.starts_with("HTTP/1.1 429"), "{locked}");
    assert!(
        locked.to_ascii_lowercase().contains("retry-after: "),
        "{locked}"
    );
    // In-process requests carry no address: the same node still answers them.
    assert_eq!(
        node.get("/taxii2/").await.status,
        axum::http::StatusCode::OK
    );
    stop.send(()).expect("server still running");
    let joined = tokio::time::timeout(Duration::from_secs(10), server).await;
    assert!(joined.is_ok_and(|j| j.is_ok_and(|r| r.is_ok())));
}
