#![allow(clippy::unwrap_used, clippy::expect_used)]
//! End-to-end tests over HTTP. Each test starts the server on 127.0.0.1:0
//! with a fresh database, and runs once on SQLite and once on PostgreSQL.

mod helpers;

mod account_security;
mod accounts;
mod authentication;
mod collections;
mod concurrency;
mod conventions;
mod element_comments;
mod environments;
mod events;
mod forks;
mod function_level;
mod integrations;
mod list_get;
mod mail;
mod openapi;
mod operations;
mod partner_workspaces;
mod properties;
mod quotas;
mod real_clients;
mod revocation;
mod runs;
mod sign_in;
mod signup;
mod ssrf;
mod sweep;
mod teams;
mod updates;
