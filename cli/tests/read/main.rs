//! The read suite: every question of the dashboard on both stores, and the `outreach` command
//! through its real binary, against a real PostgreSQL loaded by the ETL.

mod access;
mod audit_trail;
mod campaign_list;
mod cli;
mod contract;
mod export;
mod helpers;
mod signin;
mod tls;
