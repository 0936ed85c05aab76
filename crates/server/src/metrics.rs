//! Prometheus metrics of this process, served at `/metrics` in the text
//! exposition format: requests by route and status, latency histograms,
//! open event streams, the email outbox and the database connections.
//!
//! Routes are counted by their template (`/api/workspaces/{workspaceId}`),
//! never by the path asked for, so the number of series stays bounded.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct Latency {
    /// Counts per bucket (not cumulative), then one for above the last.
    buckets: [u64; BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Counters {
    /// (route, method, status) → requests.
    requests: BTreeMap<(String, String, u16), u64>,
    /// (route, method) → latency.
    latency: BTreeMap<(String, String), Latency>,
}

/// The counters of this process.
#[derive(Default)]
pub struct Metrics {
    counters: Mutex<Counters>,
    event_streams: AtomicI64,
}

/// What the scrape reads from the store at the time of asking.
pub struct StoreGauges {
    /// `None` when the database did not answer.
    pub outbox_pending: Option<i64>,
    /// (mode, connections in use, connections).
    pub connections: Vec<(&'static str, usize, usize)>,
    pub backend: &'static str,
}

impl Metrics {
    fn record(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let mut c = self.counters.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *c.requests
            .entry((route.to_string(), method.to_string(), status))
            .or_default() += 1;
        let l = c.latency.entry((route.to_string(), method.to_string())).or_default();
        let i = BUCKETS.iter().position(|b| seconds <= *b).unwrap_or(BUCKETS.len());
        l.buckets[i] += 1;
        l.sum += seconds;
        l.count += 1;
    }

    /// Counts an open event stream until the guard is dropped.
    pub fn event_stream(self: &std::sync::Arc<Self>) -> StreamGuard {
        self.event_streams.fetch_add(1, Ordering::Relaxed);
        StreamGuard(self.clone())
    }

    /// The text exposition of every metric.
    pub fn render(&self, store: &StoreGauges) -> String {
        let mut out = String::new();
        let c = self.counters.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        out.push_str(
            "# HELP portico_http_requests_total HTTP requests answered, by route template, method and status.\n",
        );
        out.push_str("# TYPE portico_http_requests_total counter\n");
        for ((route, method, status), n) in &c.requests {
            let _ = writeln!(
                out,
                "portico_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {n}",
                label(route)
            );
        }
        out.push_str("# HELP portico_http_request_duration_seconds Time to answer, by route template and method.\n");
        out.push_str("# TYPE portico_http_request_duration_seconds histogram\n");
        for ((route, method), l) in &c.latency {
            let labels = format!("route=\"{}\",method=\"{method}\"", label(route));
            let mut cumulative = 0;
            for (i, bound) in BUCKETS.iter().enumerate() {
                cumulative += l.buckets[i];
                let _ = writeln!(
                    out,
                    "portico_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "portico_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                l.count
            );
            let _ = writeln!(out, "portico_http_request_duration_seconds_sum{{{labels}}} {}", l.sum);
            let _ = writeln!(
                out,
                "portico_http_request_duration_seconds_count{{{labels}}} {}",
                l.count
            );
        }
        drop(c);
        out.push_str("# HELP portico_event_streams Open live event streams (GET /api/events).\n");
        out.push_str("# TYPE portico_event_streams gauge\n");
        let _ = writeln!(
            out,
            "portico_event_streams {}",
            self.event_streams.load(Ordering::Relaxed)
        );
        if let Some(pending) = store.outbox_pending {
            out.push_str("# HELP portico_outbox_pending Emails waiting in the outbox (all processes).\n");
            out.push_str("# TYPE portico_outbox_pending gauge\n");
            let _ = writeln!(out, "portico_outbox_pending {pending}");
        }
        out.push_str("# HELP portico_db_connections Database connections of this process, by use.\n");
        out.push_str("# TYPE portico_db_connections gauge\n");
        for (mode, in_use, size) in &store.connections {
            let b = store.backend;
            let _ = writeln!(
                out,
                "portico_db_connections{{backend=\"{b}\",pool=\"{mode}\",state=\"in_use\"}} {in_use}"
            );
            let _ = writeln!(
                out,
                "portico_db_connections{{backend=\"{b}\",pool=\"{mode}\",state=\"idle\"}} {}",
                size.saturating_sub(*in_use)
            );
        }
        out
    }
}

/// Escapes a label value.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Keeps an event stream counted while it lives.
pub struct StreamGuard(std::sync::Arc<Metrics>);

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.0.event_streams.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Middleware of every matched route: counts the answer and its time.
pub async fn track(State(metrics): State<std::sync::Arc<Metrics>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_string();
    let method = request.method().as_str().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.record(
        &route,
        &method,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_and_fall_into_cumulative_buckets() {
        let m = Metrics::default();
        m.record("/api/workspaces/{workspaceId}", "GET", 200, 0.003);
        m.record("/api/workspaces/{workspaceId}", "GET", 200, 0.2);
        m.record("/api/workspaces/{workspaceId}", "GET", 404, 20.0);
        let text = m.render(&StoreGauges {
            outbox_pending: Some(3),
            connections: vec![("read", 2, 8)],
            backend: "sqlite",
        });
        assert!(text.contains(
            "portico_http_requests_total{route=\"/api/workspaces/{workspaceId}\",method=\"GET\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "portico_http_requests_total{route=\"/api/workspaces/{workspaceId}\",method=\"GET\",status=\"404\"} 1"
        ));
        let labels = "route=\"/api/workspaces/{workspaceId}\",method=\"GET\"";
        assert!(text.contains(&format!(
            "portico_http_request_duration_seconds_bucket{{{labels},le=\"0.001\"}} 0"
        )));
        assert!(text.contains(&format!(
            "portico_http_request_duration_seconds_bucket{{{labels},le=\"0.005\"}} 1"
        )));
        assert!(text.contains(&format!(
            "portico_http_request_duration_seconds_bucket{{{labels},le=\"0.25\"}} 2"
        )));
        assert!(text.contains(&format!(
            "portico_http_request_duration_seconds_bucket{{{labels},le=\"10\"}} 2"
        )));
        assert!(text.contains(&format!(
            "portico_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} 3"
        )));
        assert!(text.contains(&format!("portico_http_request_duration_seconds_count{{{labels}}} 3")));
        assert!(text.contains("portico_outbox_pending 3"));
        assert!(text.contains("portico_db_connections{backend=\"sqlite\",pool=\"read\",state=\"in_use\"} 2"));
        assert!(text.contains("portico_db_connections{backend=\"sqlite\",pool=\"read\",state=\"idle\"} 6"));
    }

    #[test]
    fn an_event_stream_is_counted_while_it_is_open() {
        let m = std::sync::Arc::new(Metrics::default());
        let gauges = StoreGauges {
            outbox_pending: None,
            connections: Vec::new(),
            backend: "sqlite",
        };
        let guard = m.event_stream();
        assert!(m.render(&gauges).contains("portico_event_streams 1"));
        drop(guard);
        assert!(m.render(&gauges).contains("portico_event_streams 0"));
    }
}
