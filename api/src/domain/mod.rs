//! Pure rules of the collaboration: no I/O, exhaustively tested.

pub mod policy;
