//! `hallq display` and the display-client inside `hallq run`.

use crate::{init_logs, load, shutdown_signal, RunArgs};
use anyhow::Context;
use hallq_config::schema_url::mqtt_host_port;
use hallq_config::{BrokerMode, Settings};
use hallq_controller::app::MqttEndpoint;
use hallq_display::mqtt::Source;
use hallq_display::server::{router, Screens};
use hallq_display::Hub;
use std::sync::Arc;

/// Starts the hub and its subscriber; returns the screen routes to serve.
pub(crate) fn start_in_run(cfg: Arc<Settings>, mqtt: MqttEndpoint) -> axum::Router {
    let hub = Hub::new();
    let src = Source {
        host: mqtt.host,
        port: mqtt.port,
        login: mqtt.login,
        hall: cfg.hall.id.clone(),
    };
    tokio::spawn(hallq_display::mqtt::run(src, hub.clone()));
    router(Screens { cfg, hub })
}

/// `hallq display --config FILE [--listen HOST:PORT]`: screens only, fed by the broker.
pub(crate) async fn run(args: RunArgs) -> anyhow::Result<()> {
    init_logs();
    let cfg = Arc::new(load(&args)?);
    let (host, port) = match cfg.broker.mode {
        BrokerMode::Embedded => {
            let a: std::net::SocketAddr = cfg.broker.listen.parse().context("broker.listen")?;
            (a.ip().to_string(), a.port())
        }
        BrokerMode::External => {
            mqtt_host_port(cfg.broker.url.as_deref().unwrap_or_default()).context("broker.url")?
        }
    };
    let login = cfg
        .display
        .username
        .clone()
        .map(|u| (u, cfg.display.password.clone().unwrap_or_default()));
    let routes = start_in_run(cfg.clone(), MqttEndpoint { host, port, login });
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
