//! A deployment's halls together: what the city-wide routes (`GET /api/v1/halls`, the city
//! booking page, the city dashboard) read.

use crate::state::AppState;
use std::sync::Arc;

/// Every hall's state, in the config's order (the first is the default hall). Cheap to clone.
#[derive(Clone)]
pub struct CityState(Arc<CityInner>);

/// What [`CityState`] holds.
pub struct CityInner {
    /// The city, when the deployment was configured with a city file.
    pub city: Option<hallq_config::City>,
    /// Each hall's state (its own config, store bound to the hall, tokens, watchers …).
    pub halls: Vec<AppState>,
    /// With several halls: the first hall's state served at the root, for the routes every
    /// hall serves alike there (health, assets, metrics, the development identity provider,
    /// whose booking link then leads to the city's `/book`).
    pub root: Option<AppState>,
}

impl std::ops::Deref for CityState {
    type Target = CityInner;
    fn deref(&self) -> &CityInner {
        &self.0
    }
}

impl CityState {
    /// The deployment's halls.
    pub fn new(city: Option<hallq_config::City>, halls: Vec<AppState>) -> Self {
        Self(Arc::new(CityInner {
            city,
            halls,
            root: None,
        }))
    }

    /// The deployment's halls, with `root` serving the shared routes at the root.
    pub fn with_root(
        city: Option<hallq_config::City>,
        halls: Vec<AppState>,
        root: AppState,
    ) -> Self {
        Self(Arc::new(CityInner {
            city,
            halls,
            root: Some(root),
        }))
    }

    /// The hall with this id.
    pub fn hall(&self, id: &str) -> Option<&AppState> {
        self.halls.iter().find(|h| h.cfg.hall.id == id)
    }

    /// Whether the deployment serves more than one hall (routes live under
    /// `/api/v1/halls/{hall}` and `/halls/{hall}`; the root serves the city's pages).
    pub fn is_city(&self) -> bool {
        self.halls.len() > 1
    }
}
