//! Synthetic data generator (placeholder).
