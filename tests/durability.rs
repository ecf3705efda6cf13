//! Acknowledged means durable: an envelope whose status came back is on disk,
//! even if the server is killed with SIGKILL the next instant.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;

use crate::util::{ADMIN_PASSWORD, TestServer, indicator};

#[tokio::test]
async fn every_acknowledged_object_survives_a_kill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let mut server = TestServer::start_in(&data, &[("CHARTER_ADMIN_PASSWORD", ADMIN_PASSWORD)]);
    let base = server.base.clone();
    let acked = Arc::new(std::sync::Mutex::new(HashSet::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..4usize {
        let (base, acked, stop) = (base.clone(), acked.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut n = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let objects: Vec<Value> = (0..50)
                    .map(|i| indicator(w * 1_000_000 + n * 50 + i))
                    .collect();
                n += 1;
                let body = serde_json::json!({ "objects": objects }).to_string();
                let sent = client
                    .post(format!("{base}/default/collections/default/objects/"))
                    .basic_auth("admin", Some(ADMIN_PASSWORD))
                    .header("Accept", crate::util::TAXII)
                    .header("Content-Type", crate::util::TAXII)
                    .body(body)
                    .send()
                    .await;
                let Ok(resp) = sent else { break };
                if resp.status() != 202 {
                    break;
                }
                let Ok(status) = resp.json::<Value>().await else {
                    break;
                };
                if status["status"] == "complete" && status["success_count"] == 50 {
                    let mut set = acked.lock().expect("not poisoned");
                    for o in &objects {
                        set.insert(o["id"].as_str().expect("id").to_owned());
                    }
                }
            }
        }));
    }
    // Kill while the writers are busy, once they have some acknowledgements
    // (waiting for them rather than for a fixed time, which a loaded machine
    // may not give them).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    while acked.lock().expect("not poisoned").len() < 200 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    server.kill();
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        let _ = w.await;
    }
    let acked = acked.lock().expect("not poisoned").clone();
    assert!(
        acked.len() >= 200,
        "the writers got some acknowledgements in: {}",
        acked.len()
    );

    let server = TestServer::start_in(&data, &[("CHARTER_ADMIN_PASSWORD", ADMIN_PASSWORD)]);
    let mut stored = HashSet::new();
    let mut next: Option<String> = None;
    loop {
        let mut path = "/default/collections/default/manifest/?limit=1000".to_owned();
        if let Some(n) = &next {
            path.push_str(&format!("&next={n}"));
        }
        let body = server.get_json(&path).await;
        for o in body["objects"].as_array().into_iter().flatten() {
            stored.insert(o["id"].as_str().expect("id").to_owned());
        }
        match body["next"].as_str() {
            Some(n) if body["more"] == true => next = Some(n.to_owned()),
            _ => break,
        }
    }
    let lost: Vec<_> = acked.difference(&stored).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged objects lost, e.g. {:?}",
        lost.len(),
        lost.first()
    );
}
