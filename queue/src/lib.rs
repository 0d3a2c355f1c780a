//! Queue science for a service hall, pure and without IO:
//!
//! - [`model`]: a ticket's kind and what the call order reads of a waiting ticket;
//! - [`policy`]: the production routing policy — which ticket a window calls next, people
//!   ahead — used by the controller and by the simulator alike;
//! - [`erlang`]: the M/M/c queue's exact figures (Erlang C); [`mmc`]: the same queue simulated;
//! - [`profile`], [`history`]: a hall's demand, written or learned from recorded tickets;
//! - [`estimate`]: wait estimates from a snapshot of the hall (and the former estimator);
//! - [`sim`]: the hall simulator (discrete-event days under the production policy);
//! - [`plan`]: staffing advice (windows needed per hour, slot capacities, what-ifs).

pub mod erlang;
pub mod estimate;
pub mod history;
pub mod mmc;
pub mod model;
pub mod plan;
pub mod policy;
pub mod profile;
pub mod sim;
