// Keeps the reference SDK's Node entry on 127.0.0.1. Before its first payment
// it reads the wallet's USDC balance from the public Base and Base Sepolia RPC
// nodes (through globalThis.fetch, via viem); this sends those reads to the
// simulator's ledger-backed JSON-RPC instead, and refuses any other host, so a
// request that would have left the machine shows up in `blocked`.

const RPC_NODES = {
  "https://mainnet.base.org": "eip155:8453",
  "https://sepolia.base.org": "eip155:84532",
};

function urlOf(input) {
  if (typeof input === "string") return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

/**
 * Replaces globalThis.fetch; returns `{rpcCalls, blocked, restore}`.
 * `alsoLocal` names the simulator's other origins (its S3 and CDN).
 */
export function routeChainToSimulator(simUrl, alsoLocal = []) {
  const original = globalThis.fetch;
  const local = new URL(simUrl).origin;
  const others = new Set(alsoLocal.map((u) => new URL(u).origin));
  const seen = { rpcCalls: [], blocked: [] };
  globalThis.fetch = async (input, init) => {
    const url = new URL(urlOf(input));
    const network = RPC_NODES[url.origin];
    if (network !== undefined) {
      seen.rpcCalls.push(network);
      const target = `${simUrl}/__sim/rpc/${network}`;
      return original(input instanceof Request ? new Request(target, input) : target, init);
    }
    if (url.origin !== local && !others.has(url.origin)) {
      seen.blocked.push(url.href);
      throw new TypeError(`test network policy: ${url.origin} is not the simulator`);
    }
    return original(input, init);
  };
  return { ...seen, restore: () => { globalThis.fetch = original; } };
}
