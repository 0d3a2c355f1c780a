//! `hallq display` and the display-client inside `hallq run`.

use crate::run::load;
use crate::{logs, shutdown_signal, RunArgs};
use anyhow::Context;
use hallq_config::Settings;
use hallq_display::server::{router, Screens};
use hallq_display::Hub;
use hallq_mqtt::{Endpoint, Part};
use std::sync::Arc;

/// Starts the hub and its subscriber; returns the screen routes to serve.
pub(crate) fn start_in_run(cfg: Arc<Settings>, mqtt: Endpoint) -> axum::Router {
    let hub = Hub::new();
    let (feed, hall) = (hub.clone(), cfg.hall.id.clone());
    tokio::spawn(async move { hallq_display::mqtt::run(mqtt, &hall, feed).await });
    router(Screens { cfg, hub })
}

/// `hallq display --config FILE [--listen HOST:PORT]`: screens only, fed by the broker.
pub(crate) async fn run(args: RunArgs) -> anyhow::Result<()> {
    logs::init();
    let cfg = Arc::new(load(&args)?);
    let mqtt = Endpoint::of(&cfg, Part::Display).map_err(anyhow::Error::msg)?;
    let routes = start_in_run(cfg.clone(), mqtt);
    let routes = routes.route(
        "/api/v1/health",
        axum::routing::get(|| async { axum::Json(serde_json::json!({"status": "ok"})) }),
    );
    let listener = tokio::net::TcpListener::bind(&cfg.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", cfg.server.listen))?;
    let base = format!("http://{}", listener.local_addr()?);
    println!("hallq display ready");
    for s in &cfg.screens {
        println!("  TV screen  {base}/screens/{}", s.id);
    }
    axum::serve(listener, routes)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}
