//! The definition's unit tests.
