# bench/: benchmarks (see bench/README or the README's performance table).
