//! Integration tests over HTTP against the real application, on SQLite and PostgreSQL.

mod auth;
mod brute_force;
mod certificates;
mod contract;
mod crashes;
mod demo;
mod errors;
mod faults;
mod generated_client;
mod hardening;
mod institutions;
mod lifecycle;
mod members;
mod membership;
mod migrations;
mod open_requests;
mod operations;
mod probes;
mod records;
mod refused_input;
mod registration;
mod registration_edges;
mod revocation;
mod rules;
mod service_tokens;
mod web;
