// A read-only Ethereum JSON-RPC view of the simulator's USDC ledger, for
// clients that check a wallet's on-chain balance before paying (the reference
// SDK's Node entry reads USDC balanceOf on Base and Base Sepolia). Only what
// such a check needs: eth_chainId, and eth_call of balanceOf(address) on the
// network's USDC contract. Anything else is a JSON-RPC error, not a guess.

import { balanceOf } from "./ledger.mjs";
import { NETWORKS } from "./networks.mjs";

const BALANCE_OF = "0x70a08231"; // keccak256("balanceOf(address)")[0..4]
const CALL_DATA = new RegExp(`^${BALANCE_OF}0{24}([0-9a-f]{40})$`);

const word = (value) => `0x${value.toString(16).padStart(64, "0")}`;

class RpcError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function ethCall(ledger, network, params) {
  const [call] = Array.isArray(params) ? params : [];
  const usdc = NETWORKS[network].usdc;
  if (typeof call?.to !== "string" || call.to.toLowerCase() !== usdc.toLowerCase()) {
    throw new RpcError(-32000, `The simulator only answers calls to USDC (${usdc}) on ${network}.`);
  }
  const data = String(call.data ?? call.input ?? "").toLowerCase();
  const match = CALL_DATA.exec(data);
  if (!match) throw new RpcError(-32000, "The simulator only answers balanceOf(address) on USDC.");
  return word(balanceOf(ledger, network, usdc, `0x${match[1]}`));
}

function answerOne(ledger, network, request) {
  const id = request?.id ?? null;
  try {
    if (request === null || typeof request !== "object" || request.jsonrpc !== "2.0" || typeof request.method !== "string") {
      throw new RpcError(-32600, "Invalid JSON-RPC request.");
    }
    let result;
    if (request.method === "eth_chainId") result = `0x${NETWORKS[network].chainId.toString(16)}`;
    else if (request.method === "eth_call") result = ethCall(ledger, network, request.params);
    else throw new RpcError(-32601, `Method ${request.method} is not supported by the simulator.`);
    return { jsonrpc: "2.0", id, result };
  } catch (err) {
    if (!(err instanceof RpcError)) throw err;
    return { jsonrpc: "2.0", id, error: { code: err.code, message: err.message } };
  }
}

/** Answers a JSON-RPC request or batch for `network` (a CAIP-2 id the simulator knows). */
export function answerRpc(ledger, network, body) {
  return Array.isArray(body) ? body.map((r) => answerOne(ledger, network, r)) : answerOne(ledger, network, body);
}
