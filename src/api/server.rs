//! The API routes (axum). Store reads run on the blocking pool; the
//! follow stream ends when the daemon shuts down, so an open
//! `log --follow` never holds up a graceful stop.

use crate::monitor::{Health, Monitor};
use crate::store::Store;
use crate::views;
use crate::writer::{Batch, StoreSlot};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// What the handlers share.
#[derive(Clone)]
pub struct ApiState {
    /// The store (reads only); empty while the writer reopens it.
    pub store: Arc<StoreSlot>,
    /// Renders `/metrics`.
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    /// New durable events, from the writer after each flush.
    pub events: broadcast::Sender<Batch>,
    /// Live state.
    pub monitor: Arc<Monitor>,
    /// Becomes true at shutdown.
    pub shutdown: watch::Receiver<bool>,
    /// How long without progress counts as stalled.
    pub stall_limit: Duration,
}

/// The router over `state`.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/stats", get(stats))
        .route("/export", get(export))
        .route("/log", get(log))
        .route("/articles/{id}", get(article))
        .route("/explain/{id}", get(explain))
        .with_state(state)
}

const NDJSON: &str = "application/x-ndjson";
const JSON: &str = "application/json";

fn body(ctype: &'static str, bytes: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, ctype)], bytes).into_response()
}

fn fail(code: StatusCode, msg: impl Into<String>) -> Response {
    let mut m = msg.into();
    m.push('\n');
    (code, [(header::CONTENT_TYPE, "text/plain")], m).into_response()
}

/// Runs a store read on the blocking pool.
async fn blocking(
    slot: &StoreSlot,
    ctype: &'static str,
    f: impl FnOnce(&Store) -> Result<Option<Vec<u8>>, String> + Send + 'static,
) -> Response {
    let Some(store) = slot.get() else {
        return fail(
            StatusCode::SERVICE_UNAVAILABLE,
            "the store is being reopened; try again shortly",
        );
    };
    match tokio::task::spawn_blocking(move || f(&store)).await {
        Ok(Ok(Some(b))) => body(ctype, b),
        Ok(Ok(None)) => fail(StatusCode::NOT_FOUND, "not found"),
        Ok(Err(e)) => fail(StatusCode::INTERNAL_SERVER_ERROR, e),
        Err(e) => fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

fn line(out: &mut Vec<u8>, v: &impl serde::Serialize) -> Result<(), String> {
    serde_json::to_writer(&mut *out, v).map_err(|e| e.to_string())?;
    out.push(b'\n');
    Ok(())
}

async fn health(State(s): State<ApiState>) -> Response {
    let m = &s.monitor;
    let (code, status, reason) = match m.health(s.stall_limit) {
        Health::Ok => (StatusCode::OK, "ok", None),
        Health::Stalled(why) => (StatusCode::SERVICE_UNAVAILABLE, "stalled", Some(why)),
    };
    let v = serde_json::json!({
        "status": status,
        "reason": reason,
        "backlog": m.backlog.load(Ordering::Relaxed),
        "ingested": m.ingested.load(Ordering::Relaxed),
        "unchanged": m.unchanged.load(Ordering::Relaxed),
        "quarantined": m.quarantined.load(Ordering::Relaxed),
        "durable_seq": m.durable_seq.load(Ordering::Relaxed),
        "uptime_s": m.uptime().as_secs(),
    });
    let mut b = serde_json::to_vec(&v).unwrap_or_default();
    b.push(b'\n');
    (code, [(header::CONTENT_TYPE, JSON)], b).into_response()
}

async fn metrics(State(s): State<ApiState>) -> Response {
    match &s.metrics {
        Some(h) => {
            h.run_upkeep();
            let mut text = h.render();
            if let Some(p) = crate::monitor::process::sample() {
                if !text.is_empty() && !text.ends_with("\n\n") {
                    text.push('\n');
                }
                text.push_str(&crate::monitor::process::render(&p));
            }
            body("text/plain; version=0.0.4", text.into_bytes())
        }
        None => fail(StatusCode::SERVICE_UNAVAILABLE, "metrics are not recorded"),
    }
}

async fn stats(State(s): State<ApiState>) -> Response {
    blocking(&s.store, JSON, move |store| {
        let st = views::stats(store).map_err(|e| e.to_string())?;
        let mut b = serde_json::to_vec_pretty(&st).map_err(|e| e.to_string())?;
        b.push(b'\n');
        Ok(Some(b))
    })
    .await
}

async fn export(State(s): State<ApiState>) -> Response {
    blocking(&s.store, NDJSON, move |store| {
        let mut out = Vec::new();
        for head in store.heads() {
            let head = head.map_err(|e| e.to_string())?;
            line(
                &mut out,
                &views::export_line(store, &head).map_err(|e| e.to_string())?,
            )?;
        }
        Ok(Some(out))
    })
    .await
}

#[derive(Deserialize)]
struct ArticleQuery {
    text: Option<String>,
}

impl ArticleQuery {
    /// `?text=1` (any value but `0`) asks for the text form.
    fn text(&self) -> bool {
        self.text.as_deref().is_some_and(|t| t != "0")
    }
}

fn content_type(text: bool) -> &'static str {
    if text { "text/plain" } else { JSON }
}

async fn article(
    State(s): State<ApiState>,
    Path(id): Path<String>,
    Query(q): Query<ArticleQuery>,
) -> Response {
    let text = q.text();
    blocking(&s.store, content_type(text), move |store| {
        let Some(a) = views::find(store, &id).map_err(|e| e.to_string())? else {
            return Ok(None);
        };
        render(text, &a, views::show_text).map(Some)
    })
    .await
}

/// `shingled explain` while the daemon holds the store: an article (16
/// hex digits) or a block (32), as JSON or (`?text=1`) as text.
async fn explain(
    State(s): State<ApiState>,
    Path(id): Path<String>,
    Query(q): Query<ArticleQuery>,
) -> Response {
    let text = q.text();
    use crate::explain::{self as x, Explained};
    let Some(slot) = s.store.get() else {
        return fail(
            StatusCode::SERVICE_UNAVAILABLE,
            "the store is being reopened; try again shortly",
        );
    };
    let got = tokio::task::spawn_blocking(move || {
        x::explain(&slot, &id).map(|e| match e {
            Explained::Article(a) => render(text, &a, x::text),
            Explained::Block(b) => render(text, &b, x::block_text),
        })
    })
    .await;
    // The CLI prints the daemon's message as its own: the same words as
    // offline, not a bare status.
    match got {
        Ok(Ok(Ok(b))) => body(content_type(text), b),
        Ok(Ok(Err(e))) => fail(StatusCode::INTERNAL_SERVER_ERROR, e),
        Ok(Err(e @ x::Error::NotFound(_))) => fail(StatusCode::NOT_FOUND, e.to_string()),
        Ok(Err(e @ x::Error::Ambiguous(_))) => fail(StatusCode::CONFLICT, e.to_string()),
        Ok(Err(e)) => fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(e) => fail(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// One JSON line, or the text form.
fn render<T: serde::Serialize>(
    text: bool,
    v: &T,
    as_text: fn(&T) -> String,
) -> Result<Vec<u8>, String> {
    if text {
        return Ok(as_text(v).into_bytes());
    }
    let mut out = Vec::new();
    line(&mut out, v)?;
    Ok(out)
}

#[derive(Deserialize)]
struct LogQuery {
    since: Option<u64>,
    follow: Option<String>,
}

/// Durable events after `after`, at most `limit`, as NDJSON lines.
fn durable_lines(
    store: &Store,
    after: u64,
    upto: u64,
    limit: usize,
) -> Result<Vec<(u64, Vec<u8>)>, String> {
    let mut out = Vec::new();
    for c in store.changes(after) {
        let (seq, mut json) = c.map_err(|e| e.to_string())?;
        if seq > upto || out.len() >= limit {
            break;
        }
        json.push(b'\n');
        out.push((seq, json));
    }
    Ok(out)
}

async fn log(State(s): State<ApiState>, Query(q): Query<LogQuery>) -> Response {
    let since = q.since.unwrap_or(0);
    if q.follow.is_none_or(|f| f == "0") {
        let m = Arc::clone(&s.monitor);
        return blocking(&s.store, NDJSON, move |store| {
            let upto = m.durable_seq.load(Ordering::SeqCst);
            let lines = durable_lines(store, since, upto, usize::MAX)?;
            Ok(Some(lines.into_iter().flat_map(|(_, l)| l).collect()))
        })
        .await;
    }
    let follow = Follow {
        rx: s.events.subscribe(),
        last: since,
        queue: VecDeque::new(),
        s,
    };
    let stream = futures_util::stream::unfold(follow, Follow::next);
    ([(header::CONTENT_TYPE, NDJSON)], Body::from_stream(stream)).into_response()
}

/// The state of one `log --follow` stream. The broadcast only says "new
/// events are durable"; lines always come from the store, up to the
/// durable watermark, so a slow follower that lags the channel still gets
/// every event exactly once and in order.
struct Follow {
    rx: broadcast::Receiver<Batch>,
    last: u64,
    queue: VecDeque<(u64, Vec<u8>)>,
    s: ApiState,
}

impl Follow {
    async fn next(mut self) -> Option<(Result<Bytes, std::io::Error>, Self)> {
        loop {
            if let Some((seq, l)) = self.queue.pop_front() {
                self.last = seq;
                return Some((Ok(Bytes::from(l)), self));
            }
            if *self.s.shutdown.borrow() {
                return None;
            }
            let upto = self.s.monitor.durable_seq.load(Ordering::SeqCst);
            if self.last < upto
                && let Some(store) = self.s.store.get()
            {
                let after = self.last;
                let got =
                    tokio::task::spawn_blocking(move || durable_lines(&store, after, upto, 1_000))
                        .await;
                match got {
                    Ok(Ok(lines)) if !lines.is_empty() => {
                        self.queue.extend(lines);
                        continue;
                    }
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => return Some((Err(std::io::Error::other(e)), self)),
                    Err(e) => return Some((Err(std::io::Error::other(e)), self)),
                }
            }
            let mut shutdown = self.s.shutdown.clone();
            tokio::select! {
                r = self.rx.recv() => {
                    if matches!(r, Err(broadcast::error::RecvError::Closed)) {
                        return None;
                    }
                }
                _ = shutdown.changed() => return None,
            }
        }
    }
}
