//! The city's routes (placeholder until the city pages land).

use crate::city::CityState;
use axum::Router;

/// The city's routes.
pub fn city_routes() -> Router<CityState> {
    Router::new()
}
