//! b2mms: the membership management system of a large scientific collaboration. The binary
//! (`main.rs`) is a thin command line over this library; tests use the same library to run the
//! real application.

pub mod app;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod jobs;
pub mod mail;
pub mod mailman;
pub mod metrics;
pub mod ops;
pub mod request_context;
pub mod services;
pub mod store;
pub mod tls;
