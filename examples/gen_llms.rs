//! Prints the package's agent-readable method reference (llms-sdk.txt).
fn main() {
    print!("{}", run402_sdk_wasm::agent_reference::render());
}
