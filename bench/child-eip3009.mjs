// EIP-3009 TransferWithAuthorization signatures per second with viem
// (`account.signTypedData`, fixed private key, a new nonce per signature),
// the way an x402 "exact" EVM payment is signed. Fresh process, like the rest.
// argv: <warmupMs> <roundMs> <rounds>
import { privateKeyToAccount } from "viem/accounts";
import { recoverTypedDataAddress } from "viem";

const [warmupMs, roundMs, rounds] = process.argv.slice(2).map(Number);
// Hardhat/anvil test account #0: a public, well-known key, never funded on mainnet.
const account = privateKeyToAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const domain = {
  name: "USD Coin",
  version: "2",
  chainId: 8453,
  verifyingContract: "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
};
const types = {
  TransferWithAuthorization: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "validAfter", type: "uint256" },
    { name: "validBefore", type: "uint256" },
    { name: "nonce", type: "bytes32" },
  ],
};
let n = 0;
const typed = () => ({
  domain,
  types,
  primaryType: "TransferWithAuthorization",
  message: {
    from: account.address,
    to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    value: 10000n,
    validAfter: 0n,
    validBefore: 1900000000n,
    nonce: `0x${(++n).toString(16).padStart(64, "0")}`,
  },
});

// Sanity: the signature recovers to the signer.
const t = typed();
const sig = await account.signTypedData(t);
const who = await recoverTypedDataAddress({ ...t, signature: sig });
if (who !== account.address) throw new Error("viem signature does not recover to the signer");

async function round(ms) {
  let ops = 0;
  const t0 = performance.now();
  const end = t0 + ms;
  let now = t0;
  while (now < end) {
    await account.signTypedData(typed());
    ops++;
    now = performance.now();
  }
  return (ops * 1000) / (now - t0);
}
await round(warmupMs);
const out = [];
for (let i = 0; i < rounds; i++) out.push(await round(roundMs));
process.stdout.write(JSON.stringify({ opsPerSec: out }));
