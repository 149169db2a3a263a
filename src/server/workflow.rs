//! DAG workflows on top of the scheduler: a spec (`spec.rs`, with `expr.rs` for references
//! and `when`), the run state (`run.rs`) and its state machine (`advance.rs`), the engine that
//! journals, replays and submits (`engine.rs`), what clients ask of it (`ops.rs`), what the dashboard reads (`pages.rs`), and the run
//! drawn as a graph (`view.rs`). It imports the scheduler; the scheduler knows it only as a
//! channel that receives the tasks of workflow steps when they end.

pub mod advance;
pub mod engine;
pub mod expr;
pub mod ops;
pub mod pages;
pub mod run;
pub mod spec;
pub mod view;

pub use engine::{Engine, OnConflict};
