//! The HTTP API (axum): telemetry ingest, status, epochs and proofs, Prometheus metrics.
//!
//! | route | |
//! |---|---|
//! | `POST /v1/telemetry` | JSON: one `SignedTelemetry` object, or an array of them |
//! | `POST /v1/telemetry/batch` | binary EMTB frame (`Content-Type: application/octet-stream`) |
//! | `GET /v1/status` | daemon, chain and store status |
//! | `GET /v1/epochs/{n}` | a computed epoch: root, totals, every input and leaf |
//! | `GET /v1/epochs/{n}/proof/{device_id}` | one device's leaf and Merkle proof |
//! | `GET /v1/epochs/{n}/outliers` | devices whose rates are statistical outliers (for the operator; see outliers.rs) |
//! | `GET /metrics` | Prometheus text format |
//!
//! Ingest answers: a single JSON object gets 200 when accepted or duplicate, otherwise the item's rejection with
//! 422 (429 `rate_limited`, 409 `stale_sequence`/`equivocation`/`epoch_closed`, 503 `unavailable`). Arrays and
//! frames get 200 with one result per item (`{index, status: accepted|duplicate|rejected, reason, message, ...}`)
//! plus counts; with `?results=not_accepted` the list leaves out the accepted items (the counts still cover every
//! item; an index not listed was accepted), which saves a busy gateway most of the answer. A request that cannot be read as a whole gets `{"error": code, "message": ...}` with 400 (malformed
//! JSON or frame), 413 (body or item count too large) or 415 (wrong content type); a store failure gets 503
//! `store_unavailable` and nothing of the request is acknowledged.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use edgemint_device_sdk::{decode_batch, SdkError, SignedTelemetry};
use serde::{Deserialize, Serialize};
use serde_json::json;
use serde_json::value::RawValue;

use crate::epoch::EpochService;
use crate::ingest::{IngestError, Ingestor, ItemResult};
use crate::metrics::Metrics;
use crate::store::Store;
use crate::verify::{Incoming, ItemStatus, Rejection};

/// Fixed facts shown by `/v1/status`.
#[derive(Debug, Clone, Serialize)]
pub struct NodeInfo {
    pub version: &'static str,
    pub chain_id: String,
    pub hub: String,
    pub operator: Option<String>,
}

#[derive(Clone)]
pub struct AppState {
    pub ingestor: Arc<Ingestor>,
    pub store: Arc<dyn Store>,
    pub metrics: Arc<Metrics>,
    pub epochs: Arc<EpochService>,
    pub info: Arc<NodeInfo>,
    pub max_batch_items: usize,
}

pub fn router(state: AppState, max_body_bytes: usize) -> Router {
    Router::new()
        .route("/v1/telemetry", post(post_json))
        .route("/v1/telemetry/batch", post(post_batch))
        .route("/v1/status", get(status))
        .route("/v1/epochs/{epoch}", get(get_epoch))
        .route("/v1/epochs/{epoch}/proof/{device_id}", get(get_proof))
        .route("/v1/epochs/{epoch}/outliers", get(get_outliers))
        .route("/metrics", get(metrics))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "not_found", "no such route") })
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(state)
}

/// Serves until `shutdown` resolves, then finishes the requests in flight (each one either committed and answered,
/// or not acknowledged).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

pub fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": code, "message": message.into()}))).into_response()
}

fn bad_request(state: &AppState, status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    state.metrics.bad_requests.with_label_values(&[code]).inc();
    error(status, code, message)
}

fn body_error(state: &AppState, e: BytesRejection) -> Response {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        bad_request(state, StatusCode::PAYLOAD_TOO_LARGE, "too_large", e.body_text())
    } else {
        bad_request(state, StatusCode::BAD_REQUEST, "malformed", e.body_text())
    }
}

#[derive(Serialize)]
struct BatchResponse {
    accepted: usize,
    duplicate: usize,
    rejected: usize,
    results: Vec<ItemResult>,
}

/// Which items a batch answer lists (`?results=`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ListedResults {
    /// Every item (the default).
    #[default]
    All,
    /// Duplicates and rejections only.
    NotAccepted,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchParams {
    #[serde(default)]
    results: ListedResults,
}

/// The batch query parameters; bad ones are answered 400 `bad_query` (and counted) before the handler runs.
impl FromRequestParts<AppState> for BatchParams {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        Query::<BatchParams>::from_request_parts(parts, state)
            .await
            .map(|Query(p)| p)
            .map_err(|e| {
                let why = format!("{}; the only parameter is results=all|not_accepted", e.body_text());
                bad_request(state, StatusCode::BAD_REQUEST, "bad_query", why)
            })
    }
}

fn batch_response(mut results: Vec<ItemResult>, listed: ListedResults) -> Response {
    let count = |s: ItemStatus| results.iter().filter(|r| r.status == s).count();
    let (accepted, duplicate, rejected) = (
        count(ItemStatus::Accepted),
        count(ItemStatus::Duplicate),
        count(ItemStatus::Rejected),
    );
    if listed == ListedResults::NotAccepted {
        results.retain(|r| r.status != ItemStatus::Accepted);
    }
    let body = BatchResponse {
        accepted,
        duplicate,
        rejected,
        results,
    };
    (StatusCode::OK, Json(body)).into_response()
}

fn single_response(result: ItemResult) -> Response {
    let status = match (result.status, result.reason) {
        (ItemStatus::Accepted | ItemStatus::Duplicate, _) => StatusCode::OK,
        (_, Some("rate_limited")) => StatusCode::TOO_MANY_REQUESTS,
        (_, Some("unavailable")) => StatusCode::SERVICE_UNAVAILABLE,
        (_, Some("stale_sequence" | "equivocation" | "epoch_closed")) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    (status, Json(result)).into_response()
}

fn ingest_error(e: IngestError) -> Response {
    tracing::error!(error = %e, "ingest failed; request not acknowledged");
    error(StatusCode::SERVICE_UNAVAILABLE, "store_unavailable", e.to_string())
}

async fn post_json(
    State(state): State<AppState>,
    params: BatchParams,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(e) => return body_error(&state, e),
    };
    let chain_id = state.ingestor.verifier().chain_id().to_string();
    let first = body.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first != Some(b'[') {
        // One object: a whole-request error if it is not a valid signed report.
        let signed = match SignedTelemetry::from_json(&body) {
            Ok(s) => s,
            Err(e) => return bad_request(&state, StatusCode::BAD_REQUEST, "malformed", e.to_string()),
        };
        let item = Incoming { chain_id, signed };
        return match state.ingestor.ingest(vec![Ok(item)]).await {
            Ok(mut results) => match results.pop() {
                Some(r) => single_response(r),
                None => error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "no result"),
            },
            Err(e) => ingest_error(e),
        };
    }
    let raw: Vec<&RawValue> = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad_request(&state, StatusCode::BAD_REQUEST, "malformed", e.to_string()),
    };
    if raw.is_empty() {
        return bad_request(&state, StatusCode::BAD_REQUEST, "empty", "no reports in the array");
    }
    if raw.len() > state.max_batch_items {
        return bad_request(
            &state,
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_items",
            format!("{} reports, at most {}", raw.len(), state.max_batch_items),
        );
    }
    // Items are parsed one by one, so one bad item does not sink the others.
    let items = raw
        .iter()
        .map(|r| {
            SignedTelemetry::from_json(r.get().as_bytes())
                .map(|signed| Incoming {
                    chain_id: chain_id.clone(),
                    signed,
                })
                .map_err(|e| Rejection::Malformed(e.to_string()))
        })
        .collect();
    match state.ingestor.ingest(items).await {
        Ok(results) => batch_response(results, params.results),
        Err(e) => ingest_error(e),
    }
}

async fn post_batch(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: BatchParams,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("application/octet-stream")
    {
        return bad_request(
            &state,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the EMTB frame as application/octet-stream",
        );
    }
    let body = match body {
        Ok(b) => b,
        Err(e) => return body_error(&state, e),
    };
    let records = match decode_batch(&body) {
        Ok(r) => r,
        Err(e @ SdkError::FrameTooLarge { .. }) => {
            return bad_request(&state, StatusCode::PAYLOAD_TOO_LARGE, e.code(), e.to_string())
        }
        Err(e) => return bad_request(&state, StatusCode::BAD_REQUEST, e.code(), e.to_string()),
    };
    if records.len() > state.max_batch_items {
        return bad_request(
            &state,
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_items",
            format!("{} reports, at most {}", records.len(), state.max_batch_items),
        );
    }
    let items = records.into_iter().map(|r| Ok(Incoming::from(r))).collect();
    match state.ingestor.ingest(items).await {
        Ok(results) => batch_response(results, params.results),
        Err(e) => ingest_error(e),
    }
}

async fn status(State(state): State<AppState>) -> Response {
    let store = state.store.clone();
    let stats = tokio::task::spawn_blocking(move || store.stats()).await;
    let stats = match stats {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return error(StatusCode::SERVICE_UNAVAILABLE, "store_unavailable", e.to_string()),
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()),
    };
    let verifier = state.ingestor.verifier();
    let now = verifier.now();
    let timing = verifier.timing();
    let body = json!({
        "info": &*state.info,
        "now": now,
        "epoch_timing": timing,
        "current_epoch": timing.epoch_at(now),
        "store": stats,
        "epochs": state.epochs.status(),
    });
    (StatusCode::OK, Json(body)).into_response()
}

fn parse_u64(s: &str, what: &str) -> Result<u64, Box<Response>> {
    s.parse().map_err(|_| {
        Box::new(error(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("{what} must be a u64"),
        ))
    })
}

async fn get_epoch(State(state): State<AppState>, Path(epoch): Path<String>) -> Response {
    let epoch = match parse_u64(&epoch, "epoch") {
        Ok(e) => e,
        Err(r) => return *r,
    };
    match state.epochs.epoch_view(epoch).await {
        Ok(Some(view)) => (StatusCode::OK, Json(view)).into_response(),
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            "epoch_not_computed",
            format!("epoch {epoch} is not computed"),
        ),
        Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, "store_unavailable", e.to_string()),
    }
}

async fn get_outliers(State(state): State<AppState>, Path(epoch): Path<String>) -> Response {
    let epoch = match parse_u64(&epoch, "epoch") {
        Ok(e) => e,
        Err(r) => return *r,
    };
    match state.epochs.outliers(epoch).await {
        Ok(Some(list)) => (
            StatusCode::OK,
            Json(json!({"epoch": epoch, "threshold": crate::outliers::THRESHOLD, "outliers": list})),
        )
            .into_response(),
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            "epoch_not_computed",
            format!("epoch {epoch} is not computed"),
        ),
        Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, "store_unavailable", e.to_string()),
    }
}

async fn get_proof(State(state): State<AppState>, Path((epoch, device)): Path<(String, String)>) -> Response {
    let (epoch, device) = match (parse_u64(&epoch, "epoch"), parse_u64(&device, "device_id")) {
        (Ok(e), Ok(d)) => (e, d),
        (Err(r), _) | (_, Err(r)) => return *r,
    };
    match state.epochs.proof(epoch, device).await {
        Ok(Some(Some(p))) => (StatusCode::OK, Json(p)).into_response(),
        Ok(Some(None)) => error(
            StatusCode::NOT_FOUND,
            "no_leaf",
            format!("device {device} has no leaf in epoch {epoch}"),
        ),
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            "epoch_not_computed",
            format!("epoch {epoch} is not computed"),
        ),
        Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, "store_unavailable", e.to_string()),
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::config::{EpochConfig, WeightsConfig};
    use crate::epoch::tests::{worked_example, WORKED_ROOT};
    use crate::store::SqliteStore;
    use crate::verify::tests::{fixture, report, signed, Fixture, CHAIN};
    use edgemint_device_sdk::encode_batch;
    use serde_json::Value;

    struct Server {
        base: String,
        stop: Option<tokio::sync::oneshot::Sender<()>>,
        task: tokio::task::JoinHandle<std::io::Result<()>>,
    }

    impl Server {
        async fn shutdown(mut self) {
            if let Some(stop) = self.stop.take() {
                let _ = stop.send(());
            }
            self.task.await.unwrap().unwrap();
        }
    }

    async fn start(state: AppState, max_body: usize) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = router(state, max_body);
        let task = tokio::spawn(serve(listener, app, async move {
            let _ = rx.await;
        }));
        Server {
            base,
            stop: Some(tx),
            task,
        }
    }

    fn state_for(f: Fixture, store: Arc<dyn Store>, epochs: Arc<EpochService>) -> AppState {
        let metrics = Arc::new(Metrics::new().unwrap());
        AppState {
            ingestor: Arc::new(Ingestor::new(Arc::new(f.verifier), store.clone(), metrics.clone())),
            store,
            metrics,
            epochs,
            info: Arc::new(NodeInfo {
                version: "test",
                chain_id: CHAIN.into(),
                hub: "emc1hub".into(),
                operator: None,
            }),
            max_batch_items: 3,
        }
    }

    fn no_chain_epochs(store: Arc<dyn Store>, f: &Fixture) -> Arc<EpochService> {
        Arc::new(EpochService::new(
            store,
            None,
            f.verifier.timing(),
            EpochConfig::default(),
            WeightsConfig::default(),
            300,
            Arc::new(crate::clock::SystemClock),
            Arc::new(Metrics::new().unwrap()),
        ))
    }

    /// (status, body as JSON or as a string value).
    async fn call(method: &'static str, url: String, content_type: &'static str, body: Vec<u8>) -> (u16, Value) {
        tokio::task::spawn_blocking(move || {
            let req = ureq::request(method, &url).set("Content-Type", content_type);
            let resp = if method == "GET" {
                req.call()
            } else {
                req.send_bytes(&body)
            };
            let resp = match resp {
                Ok(r) => r,
                Err(ureq::Error::Status(_, r)) => r,
                Err(e) => panic!("{e}"),
            };
            let status = resp.status();
            let text = resp.into_string().unwrap();
            (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
        })
        .await
        .unwrap()
    }

    /// A batch answer's (accepted, duplicate, rejected).
    fn counts(body: &Value) -> (Option<u64>, Option<u64>, Option<u64>) {
        (
            body["accepted"].as_u64(),
            body["duplicate"].as_u64(),
            body["rejected"].as_u64(),
        )
    }

    async fn post_json_body(base: &str, body: String) -> (u16, Value) {
        call(
            "POST",
            format!("{base}/v1/telemetry"),
            "application/json",
            body.into_bytes(),
        )
        .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn json_ingest_results_errors_and_restart() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("oracle.sqlite");
        let f = fixture();
        let now = f.clock.now();
        let keys = f.keys.clone();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db).unwrap());
        let epochs = no_chain_epochs(store.clone(), &f);
        let server = start(state_for(f, store.clone(), epochs), 4096).await;
        let base = server.base.clone();
        let one = signed(&keys[0], CHAIN, report(1, 1, now)).signed.to_json();

        let (code, body) = post_json_body(&base, one.clone()).await;
        assert_eq!((code, body["status"].as_str()), (200, Some("accepted")), "{body}");
        let (code, body) = post_json_body(&base, one.clone()).await;
        assert_eq!((code, body["status"].as_str()), (200, Some("duplicate")), "{body}");

        // a single rejected report: 4xx with the reason
        let forged = signed(&keys[0], CHAIN, report(2, 1, now)).signed.to_json();
        let (code, body) = post_json_body(&base, forged).await;
        assert_eq!((code, body["reason"].as_str()), (422, Some("bad_signature")), "{body}");
        let stale = signed(&keys[0], CHAIN, report(1, 0, now)).signed.to_json();
        let (code, body) = post_json_body(&base, stale).await;
        assert_eq!((code, body["reason"].as_str()), (409, Some("stale_sequence")), "{body}");

        // an array: per-item results, one bad item does not sink the others
        let two = signed(&keys[1], CHAIN, report(2, 7, now)).signed.to_json();
        let (code, body) = post_json_body(&base, format!("[{two}, {{\"report\": 5}}, {one}]")).await;
        assert_eq!(code, 200, "{body}");
        assert_eq!(counts(&body), (Some(1), Some(1), Some(1)));
        let statuses: Vec<_> = body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["index"].as_u64().unwrap(),
                    r["status"].as_str().unwrap().to_string(),
                    r["reason"].clone(),
                )
            })
            .collect();
        assert_eq!(statuses[0], (0, "accepted".into(), Value::Null));
        assert_eq!(statuses[1], (1, "rejected".into(), Value::from("malformed")));
        assert_eq!(statuses[2], (2, "duplicate".into(), Value::Null));

        // whole-request errors
        for (body, want_code, want_err) in [
            ("{not json".to_string(), 400, "malformed"),
            ("[1, 2".to_string(), 400, "malformed"),
            ("[]".to_string(), 400, "empty"),
            (format!("[{one},{one},{one},{one}]"), 413, "too_many_items"),
            (format!("[{}]", vec![one.clone(); 40].join(",")), 413, "too_large"),
        ] {
            let (code, resp) = post_json_body(&base, body).await;
            assert_eq!((code, resp["error"].as_str()), (want_code, Some(want_err)), "{resp}");
        }
        let (code, resp) = call("GET", format!("{base}/v1/nothing"), "", vec![]).await;
        assert_eq!((code, resp["error"].as_str()), (404, Some("not_found")));
        let (code, resp) = call("GET", format!("{base}/v1/epochs/x"), "", vec![]).await;
        assert_eq!((code, resp["error"].as_str()), (400, Some("malformed")));
        let (code, resp) = call("GET", format!("{base}/v1/epochs/3"), "", vec![]).await;
        assert_eq!((code, resp["error"].as_str()), (404, Some("epoch_not_computed")));

        let (code, status) = call("GET", format!("{base}/v1/status"), "", vec![]).await;
        assert_eq!(code, 200);
        assert_eq!(status["store"]["telemetry_records"], 2);
        assert_eq!(status["current_epoch"], 10);
        let (code, metrics) = call("GET", format!("{base}/metrics"), "", vec![]).await;
        assert_eq!(code, 200);
        let text = metrics.as_str().unwrap();
        assert!(text.contains("edgemint_oracle_telemetry_ingested_total 2"), "{text}");
        assert!(text.contains("edgemint_oracle_telemetry_duplicates_total 2"), "{text}");
        assert!(text.contains("edgemint_oracle_telemetry_rejected_total{reason=\"bad_signature\"} 1"));
        assert!(text.contains("edgemint_oracle_bad_requests_total{error=\"too_large\"} 1"));
        server.shutdown().await;

        // restart on the same database: nothing lost, replays are duplicates
        let epoch = report(1, 1, now).epoch;
        let before = store.aggregates(epoch).unwrap();
        drop(store);
        let f = crate::verify::tests::fixture_with_keys(keys);
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db).unwrap());
        assert_eq!(store.aggregates(epoch).unwrap(), before);
        let epochs = no_chain_epochs(store.clone(), &f);
        let server = start(state_for(f, store.clone(), epochs), 4096).await;
        let (code, body) = post_json_body(&server.base, one).await;
        assert_eq!((code, body["status"].as_str()), (200, Some("duplicate")), "{body}");
        assert_eq!(store.aggregates(epoch).unwrap(), before);
        server.shutdown().await;
    }

    /// The daemon's PostgreSQL store behind the HTTP handlers (opened by `app::open_store` from a `[store]`
    /// config), against a real server: concurrent requests, then a store restart loses nothing and replays are
    /// duplicates. Store calls from this async test go through `spawn_blocking`, as the daemon's do.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ingest_into_postgres_and_restart() {
        use crate::config::{SecretString, StoreBackend, StoreConfig};
        // (the test server's own client blocks too)
        let (_server, url) = tokio::task::spawn_blocking(|| {
            let server = crate::store::tests::pg_server::shared();
            let url = server.new_database();
            (server, url)
        })
        .await
        .unwrap();
        let config = StoreConfig {
            backend: StoreBackend::Postgres,
            url: Some(SecretString::new(url)),
            pool_size: 4,
            ..StoreConfig::default()
        };
        let f = fixture();
        let now = f.clock.now();
        let keys = f.keys.clone();
        let store = crate::app::open_store(&config).await.unwrap();
        let epochs = no_chain_epochs(store.clone(), &f);
        let http = start(state_for(f, store.clone(), epochs), 1 << 16).await;
        // devices 1 and 2, four reports each (the fixture's rate limit allows a burst of 5)
        let bodies: Vec<String> = (1..=8u64)
            .map(|n| {
                let device = 1 + n % 2;
                signed(&keys[device as usize - 1], CHAIN, report(device, n, now))
                    .signed
                    .to_json()
            })
            .collect();
        let mut tasks = Vec::new();
        for body in bodies.clone() {
            let base = http.base.clone();
            tasks.push(tokio::spawn(async move { post_json_body(&base, body).await }));
        }
        let mut accepted = 0;
        for t in tasks {
            let (code, body) = t.await.unwrap();
            match body["status"].as_str() {
                Some("accepted") => accepted += 1,
                // sent concurrently: a lower sequence may land after a higher one
                _ => assert_eq!((code, body["reason"].as_str()), (409, Some("stale_sequence")), "{body}"),
            }
        }
        assert!(accepted >= 1);
        let (code, status) = call("GET", format!("{}/v1/status", http.base), "", vec![]).await;
        assert_eq!(
            (code, status["store"]["telemetry_records"].as_u64()),
            (200, Some(accepted))
        );
        assert_eq!(status["store"]["devices"].as_u64(), Some(2));
        http.shutdown().await;

        let epoch = report(1, 1, now).epoch;
        let s = store.clone();
        let before = tokio::task::spawn_blocking(move || s.aggregates(epoch))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(before.iter().map(|a| a.reports).sum::<u64>(), accepted);
        drop(store); // the last reference, on an async worker
        let store = crate::app::open_store(&config).await.unwrap();
        let f = crate::verify::tests::fixture_with_keys(keys);
        let epochs = no_chain_epochs(store.clone(), &f);
        let http = start(state_for(f, store.clone(), epochs), 1 << 16).await;
        let (code, body) = post_json_body(&http.base, bodies[7].clone()).await;
        assert_eq!((code, body["status"].as_str()), (200, Some("duplicate")), "{body}");
        let s = store.clone();
        let after = tokio::task::spawn_blocking(move || s.aggregates(epoch))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after, before);
        http.shutdown().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn binary_batches() {
        let dir = tempfile::tempdir().unwrap();
        let f = fixture();
        let now = f.clock.now();
        let keys = f.keys.clone();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.path().join("o.sqlite")).unwrap());
        let epochs = no_chain_epochs(store.clone(), &f);
        let server = start(state_for(f, store.clone(), epochs), 1 << 20).await;
        let url = format!("{}/v1/telemetry/batch", server.base);
        let items = vec![
            signed(&keys[0], CHAIN, report(1, 1, now)).signed,
            signed(&keys[1], CHAIN, report(2, 1, now)).signed,
        ];
        let frame = encode_batch(CHAIN, &items).unwrap();
        let (code, body) = call("POST", url.clone(), "application/octet-stream", frame.clone()).await;
        assert_eq!((code, body["accepted"].as_u64()), (200, Some(2)), "{body}");
        let (code, body) = call("POST", url.clone(), "application/octet-stream", frame.clone()).await;
        assert_eq!((code, body["duplicate"].as_u64()), (200, Some(2)), "{body}");
        // ?results=not_accepted: counts of every item, the list without the accepted ones
        let mixed = encode_batch(
            CHAIN,
            &[
                signed(&keys[0], CHAIN, report(1, 2, now)).signed,
                items[1].clone(),
                signed(&keys[1], CHAIN, report(2, 2, now)).signed,
            ],
        )
        .unwrap();
        let short = format!("{url}?results=not_accepted");
        let (code, body) = call("POST", short.clone(), "application/octet-stream", mixed).await;
        assert_eq!(code, 200, "{body}");
        assert_eq!(counts(&body), (Some(2), Some(1), Some(0)));
        let listed: Vec<_> = body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["index"].as_u64(), r["status"].as_str()))
            .collect();
        assert_eq!(listed, vec![(Some(1), Some("duplicate"))]);
        for bad in ["results=some", "result=all"] {
            let (code, body) = call(
                "POST",
                format!("{url}?{bad}"),
                "application/octet-stream",
                frame.clone(),
            )
            .await;
            assert_eq!(
                (code, body["error"].as_str()),
                (400, Some("bad_query")),
                "{bad}: {body}"
            );
        }
        // a frame signed for another chain: per-item wrong_chain
        let foreign = encode_batch(
            "other-chain",
            &[signed(&keys[0], "other-chain", report(1, 5, now)).signed],
        )
        .unwrap();
        let (code, body) = call("POST", url.clone(), "application/octet-stream", foreign).await;
        assert_eq!(
            (code, body["results"][0]["reason"].as_str()),
            (200, Some("wrong_chain")),
            "{body}"
        );
        // whole-frame errors
        let (code, body) = call("POST", url.clone(), "application/json", frame.clone()).await;
        assert_eq!((code, body["error"].as_str()), (415, Some("unsupported_media_type")));
        let (code, body) = call("POST", url.clone(), "application/octet-stream", b"NOPE".to_vec()).await;
        assert_eq!((code, body["error"].as_str()), (400, Some("frame_bad_magic")));
        let mut truncated = frame.clone();
        truncated.pop();
        let (code, body) = call("POST", url.clone(), "application/octet-stream", truncated).await;
        assert_eq!(code, 400, "{body}");
        let big: Vec<_> = (10..14)
            .map(|s| signed(&keys[0], CHAIN, report(1, s, now)).signed)
            .collect();
        let (code, body) = call(
            "POST",
            url.clone(),
            "application/octet-stream",
            encode_batch(CHAIN, &big).unwrap(),
        )
        .await;
        assert_eq!((code, body["error"].as_str()), (413, Some("too_many_items")));
        assert_eq!(store.stats().unwrap().telemetry_records, 4);
        server.shutdown().await;
    }

    /// Mutated and random bodies never get a 5xx, and the server keeps answering.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn garbage_never_gets_a_server_error() {
        let dir = tempfile::tempdir().unwrap();
        let f = fixture();
        let now = f.clock.now();
        let keys = f.keys.clone();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.path().join("o.sqlite")).unwrap());
        let epochs = no_chain_epochs(store.clone(), &f);
        let server = start(state_for(f, store, epochs), 1 << 16).await;
        let frame = encode_batch(CHAIN, &[signed(&keys[0], CHAIN, report(1, 1, now)).signed]).unwrap();
        let json = signed(&keys[1], CHAIN, report(2, 1, now)).signed.to_json().into_bytes();
        // xorshift: deterministic, no extra dependency
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut bodies: Vec<(&'static str, &'static str, Vec<u8>)> = Vec::new();
        for i in 0..120 {
            let (path, ct, base) = if i % 2 == 0 {
                ("/v1/telemetry/batch", "application/octet-stream", frame.clone())
            } else {
                ("/v1/telemetry", "application/json", json.clone())
            };
            let mut body = base;
            match i % 3 {
                0 => {
                    let at = (next() as usize) % body.len();
                    body[at] ^= (next() as u8) | 1;
                }
                1 => body.truncate((next() as usize) % body.len()),
                _ => body = (0..(next() % 300)).map(|_| next() as u8).collect(),
            }
            bodies.push((path, ct, body));
        }
        for (path, ct, body) in bodies {
            let (code, resp) = call("POST", format!("{}{path}", server.base), ct, body).await;
            assert!((200..500).contains(&code), "{path}: {code} {resp}");
        }
        let (code, _) = call("GET", format!("{}/v1/status", server.base), "", vec![]).await;
        assert_eq!(code, 200);
        server.shutdown().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn epochs_and_proofs() {
        let dir = tempfile::tempdir().unwrap();
        let (svc, store, _clock) = worked_example(&dir);
        svc.compute(4).await.unwrap();
        let f = fixture();
        let server = start(state_for(f, store, svc), 4096).await;
        let (code, e) = call("GET", format!("{}/v1/epochs/4", server.base), "", vec![]).await;
        assert_eq!(code, 200, "{e}");
        assert_eq!(e["root"], WORKED_ROOT);
        assert_eq!(e["total_amount"], "999999");
        assert_eq!(e["device_count"], 2);
        assert_eq!(e["leaves"].as_array().unwrap().len(), 2);
        assert_eq!(e["inputs"].as_array().unwrap().len(), 3);
        // anyone can rebuild the root from the served leaves
        let leaves: Vec<rewards_core::Leaf> = e["leaves"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                rewards_core::Leaf::new(
                    l["epoch"].as_u64().unwrap(),
                    l["device_id"].as_u64().unwrap(),
                    l["owner"].as_str().unwrap(),
                    l["amount"].as_str().unwrap().parse::<u128>().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            rewards_core::to_hex(&rewards_core::build_tree(&leaves).unwrap().root()),
            WORKED_ROOT
        );
        let (code, p) = call("GET", format!("{}/v1/epochs/4/proof/30", server.base), "", vec![]).await;
        assert_eq!(code, 200, "{p}");
        assert_eq!(p["owner"], "emc1bob");
        assert_eq!(p["amount"], "416666");
        let proof = rewards_core::proof_from_hex(&[p["proof"][0].as_str().unwrap()]).unwrap();
        let root = rewards_core::hash_from_hex(WORKED_ROOT).unwrap();
        assert!(rewards_core::verify(
            &root,
            &rewards_core::Leaf::new(4, 30, "emc1bob", 416_666),
            &proof
        ));
        let (code, p) = call("GET", format!("{}/v1/epochs/4/proof/20", server.base), "", vec![]).await;
        assert_eq!((code, p["error"].as_str()), (404, Some("no_leaf")));
        // Three devices are too few to call any of them an outlier; an unknown epoch is a 404.
        let (code, o) = call("GET", format!("{}/v1/epochs/4/outliers", server.base), "", vec![]).await;
        assert_eq!((code, o["outliers"].as_array().map(Vec::len)), (200, Some(0)), "{o}");
        let (code, o) = call("GET", format!("{}/v1/epochs/9/outliers", server.base), "", vec![]).await;
        assert_eq!((code, o["error"].as_str()), (404, Some("epoch_not_computed")));
        server.shutdown().await;
    }
}
