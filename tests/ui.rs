//! Compile-time checks: every attribute mistake is an error at the user's
//! tokens (snapshots in `tests/ui/*/*.stderr`), and generated code compiles in
//! hostile user crates (`tests/ui/pass`).

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/monitor/*.rs");
    cases.compile_fail("tests/ui/breaker/*.rs");
    cases.compile_fail("tests/ui/cache/*.rs");
    cases.compile_fail("tests/ui/trace/*.rs");
    cases.compile_fail("tests/ui/rate_limit/*.rs");
    // `#[cacheable(shared)]`: with the `redis` feature, its own mistakes;
    // without it, the error that names the feature.
    #[cfg(feature = "redis")]
    cases.compile_fail("tests/ui/cache_shared/*.rs");
    #[cfg(not(feature = "redis"))]
    cases.compile_fail("tests/ui/cache_shared_off/*.rs");
    cases.pass("tests/ui/pass/*.rs");
    // Options whose feature is off: an error that names the feature.
    #[cfg(not(feature = "redis"))]
    cases.compile_fail("tests/ui/features/*.rs");
}
