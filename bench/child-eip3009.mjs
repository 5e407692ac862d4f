// EIP-3009 TransferWithAuthorization signatures per second, the way an x402
// "exact" EVM payment is signed: a fixed private key, the USDC (Base) domain,
// a new nonce per signature, sequential. Fresh process per run, like the rest.
//
//   node child-eip3009.mjs verify <ours spec>
//     signs a handful of messages with both implementations, fails (exit 3)
//     unless every pair is byte-identical and recovers to the signer; prints
//     {signature} of the first timed message for the timing runs to check.
//   node child-eip3009.mjs <ours|viem> <ours spec> <expected sig> <warmupMs> <roundMs> <rounds>
//     times one implementation; its first signature must equal <expected sig>.
//
// Ours: the package's signTransferAuthorization (synchronous, signs in wasm;
// uint256 fields as decimal strings). viem: privateKeyToAccount(key)
// .signTypedData (async; bigint fields), awaited one at a time. Both sign
// deterministically (RFC 6979), so equal inputs must give equal bytes.
const [mode, oursSpec, ...rest] = process.argv.slice(2);

// Hardhat/anvil test account #0: a public, well-known key, never funded on mainnet.
const KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const FROM = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"; // its address
const TO = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const DOMAIN = { name: "USD Coin", version: "2", chainId: 8453, verifyingContract: "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913" };
const TYPES = {
  TransferWithAuthorization: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "validAfter", type: "uint256" },
    { name: "validBefore", type: "uint256" },
    { name: "nonce", type: "bytes32" },
  ],
};
const nonceHex = (n) => `0x${n.toString(16).padStart(64, "0")}`;
// The message for nonce n, with decimal-string fields (ours) …
const oursMessage = (n, value = "10000") => ({ from: FROM, to: TO, value, validAfter: "0", validBefore: "1900000000", nonce: nonceHex(n) });
// … and the same message as viem's typed data (bigint fields).
const viemTyped = (n, value = "10000") => ({
  domain: DOMAIN,
  types: TYPES,
  primaryType: "TransferWithAuthorization",
  message: { from: FROM, to: TO, value: BigInt(value), validAfter: 0n, validBefore: 1900000000n, nonce: nonceHex(n) },
});

async function loadOurs() {
  const m = await import(oursSpec);
  if (typeof m.signTransferAuthorization !== "function") throw new Error(`${oursSpec} exports no signTransferAuthorization`);
  return (n, value) => m.signTransferAuthorization(KEY, DOMAIN, oursMessage(n, value));
}
async function loadViem() {
  const { privateKeyToAccount } = await import("viem/accounts");
  const account = privateKeyToAccount(KEY);
  if (account.address !== FROM) throw new Error(`the fixed key's address is ${account.address}, expected ${FROM}`);
  return (n, value) => account.signTypedData(viemTyped(n, value));
}

if (mode === "verify") {
  const { recoverTypedDataAddress } = await import("viem");
  const [ours, viem] = await Promise.all([loadOurs(), loadViem()]);
  // Nonce 1 is the first timed message; the others vary the nonce and value
  // (including a full-width uint256) so a lucky match cannot pass.
  const cases = [[1, "10000"], [2, "10000"], [0xdeadbeef, "1"], [3, "115792089237316195423570985008687907853269984665640564039457584007913129639935"]];
  for (const [n, value] of cases) {
    const a = ours(n, value);
    const b = await viem(n, value);
    if (a !== b) {
      console.error(`EIP-3009 signatures differ for nonce ${n}, value ${value}:\n  ours ${a}\n  viem ${b}`);
      process.exit(3); // exit 3: a real mismatch, which bench/run.mjs never retries
    }
    const who = await recoverTypedDataAddress({ ...viemTyped(n, value), signature: a });
    if (who !== FROM) {
      console.error(`the signature for nonce ${n} recovers to ${who}, expected ${FROM}`);
      process.exit(3);
    }
  }
  process.stdout.write(JSON.stringify({ signature: ours(1, "10000"), cases: cases.length }));
} else {
  const [expected, warmupMs, roundMs, rounds] = rest;
  let n = 0;
  let op;
  if (mode === "ours") {
    const sign = await loadOurs();
    op = () => sign(++n); // synchronous: no await, as a caller would use it
  } else if (mode === "viem") {
    const sign = await loadViem();
    op = () => sign(++n); // a promise; awaited below
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  const first = await op();
  if (first !== expected) throw new Error(`${mode}: first signature ${first} differs from the verified ${expected}`);

  const isAsync = mode === "viem";
  async function round(ms) {
    let ops = 0;
    const t0 = performance.now();
    const end = t0 + ms;
    let now = t0;
    while (now < end) {
      if (isAsync) await op();
      else op();
      ops++;
      now = performance.now();
    }
    return (ops * 1000) / (now - t0);
  }
  await round(Number(warmupMs));
  const out = [];
  for (let i = 0; i < Number(rounds); i++) out.push(await round(Number(roundMs)));
  process.stdout.write(JSON.stringify({ opsPerSec: out, signed: n }));
}
