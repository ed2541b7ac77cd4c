//! Engine benchmarks (a bench binary: `cargo bench -p kms-engine`). Figures are printed, never asserted.

fn main() {
    println!("kms-engine {} benchmarks", kms_engine::VERSION);
}
