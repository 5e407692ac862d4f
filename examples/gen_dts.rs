//! Prints the package's TypeScript declarations (generated from the Rust surface).
fn main() {
    print!("{}", run402_sdk_wasm::typings::render());
}
