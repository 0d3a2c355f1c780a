//! Log output of `hallq run|controller|display`: the format and what is filtered out.

/// Installs the log subscriber (`RUST_LOG` overrides the default filter).
pub(crate) fn init() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                "info,rumqttd=warn,rumqttd::server::broker=off,rumqttc=warn,sqlx=warn".into()
            }),
        )
        .init();
}
