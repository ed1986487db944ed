//! The data suite: the warehouse -> dashboard path against a real PostgreSQL.

mod aggregation;
mod bad_input;
mod demo;
mod generator;
mod helpers;
mod incremental;
mod privacy;
mod reach;
mod scale;
mod schema;
