//! Benchmarks of opguard live in this package's `[[bench]]` targets.
