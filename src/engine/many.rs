//! Many runs: fixed blocks of runs in parallel, reduced in a fixed order.
