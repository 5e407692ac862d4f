// A small simulated EVM state per chain for contract wallets (routes/
// contracts.mjs): native balances in wei, and ERC-20 tokens a test deploys
// through /__sim/. Calls arrive as calldata the caller's own ABI produced
// (viem encodeFunctionData); they run here against the standard ERC-20 ABI,
// so a fragment that does not match the token's functions fails like an
// unknown selector on chain. Results go back encoded with the ERC-20 ABI
// and decoded with the caller's, as a node's eth_call answer would be.

import { randomBytes } from "node:crypto";
import { decodeFunctionData, decodeFunctionResult, encodeFunctionResult, erc20Abi, getAddress } from "viem";

export const CHAINS = Object.freeze({
  "base-mainnet": { chainId: 8453 },
  "base-sepolia": { chainId: 84532 },
});
/** Gas price every simulated transaction pays (0.01 gwei) and the ETH price fees are quoted at. */
export const GAS_PRICE_WEI = 10_000_000n;
export const ETH_USD = 3000n;

export function createEvm() {
  return {
    native: new Map(), // "chain|address" → wei
    tokens: new Map(), // "chain|address" → {name, symbol, decimals, totalSupply, balances: Map, allowances: Map}
    blocks: new Map(), // chain → latest block number
  };
}

const key = (chain, address) => `${chain}|${address.toLowerCase()}`;

export function nativeBalance(evm, chain, address) {
  return evm.native.get(key(chain, address)) ?? 0n;
}

export function setNative(evm, chain, address, wei) {
  evm.native.set(key(chain, address), wei);
}

export function nextBlock(evm, chain) {
  const n = (evm.blocks.get(chain) ?? 1_000_000) + 1;
  evm.blocks.set(chain, n);
  return n;
}

/** Deploys a token at a fresh address; `balances` maps holders to base units. */
export function deployToken(evm, chain, { name, symbol, decimals, balances }) {
  const address = getAddress(`0x${randomBytes(20).toString("hex")}`);
  const token = { name, symbol, decimals, totalSupply: 0n, balances: new Map(), allowances: new Map() };
  for (const [holder, amount] of Object.entries(balances)) {
    token.balances.set(holder.toLowerCase(), BigInt(amount));
    token.totalSupply += BigInt(amount);
  }
  evm.tokens.set(key(chain, address), token);
  return address;
}

export function tokenAt(evm, chain, address) {
  return evm.tokens.get(key(chain, address)) ?? null;
}

export class Revert extends Error {}

/** The ERC-20 call inside `data`, or a Revert (no code at the address, unknown selector). */
function decode(evm, chain, to, data) {
  const token = tokenAt(evm, chain, to);
  if (!token) throw new Revert(`no contract code at ${to} on ${chain}`);
  try {
    return { token, ...decodeFunctionData({ abi: erc20Abi, data }) };
  } catch {
    throw new Revert(`the contract at ${to} has no function with selector ${data.slice(0, 10)}`);
  }
}

const balance = (token, who) => token.balances.get(who.toLowerCase()) ?? 0n;
const allowanceKey = (owner, spender) => `${owner.toLowerCase()}|${spender.toLowerCase()}`;

/** eth_call: the decoded result of a view function, by the caller's ABI. */
export function view(evm, chain, to, data, callerAbi) {
  const { token, functionName, args = [] } = decode(evm, chain, to, data);
  const results = {
    balanceOf: () => balance(token, args[0]),
    totalSupply: () => token.totalSupply,
    decimals: () => token.decimals,
    symbol: () => token.symbol,
    name: () => token.name,
    allowance: () => token.allowances.get(allowanceKey(args[0], args[1])) ?? 0n,
  };
  if (!results[functionName]) throw new Revert(`${functionName} changes state; send it with contracts.call`);
  const encoded = encodeFunctionResult({ abi: erc20Abi, functionName, result: results[functionName]() });
  return decodeFunctionResult({ abi: callerAbi, functionName, data: encoded });
}

/** Applies a confirmed write from `from`; a Revert leaves the token as it was. */
export function execute(evm, chain, from, to, data) {
  const { token, functionName, args = [] } = decode(evm, chain, to, data);
  const move = (owner, recipient, amount) => {
    if (balance(token, owner) < amount) throw new Revert("ERC20: transfer amount exceeds balance");
    token.balances.set(owner.toLowerCase(), balance(token, owner) - amount);
    token.balances.set(recipient.toLowerCase(), balance(token, recipient) + amount);
  };
  if (functionName === "transfer") return move(from, args[0], args[1]);
  if (functionName === "approve") return void token.allowances.set(allowanceKey(from, args[0]), args[1]);
  if (functionName === "transferFrom") {
    const slot = allowanceKey(args[0], from);
    const allowed = token.allowances.get(slot) ?? 0n;
    if (allowed < args[2]) throw new Revert("ERC20: insufficient allowance");
    move(args[0], args[1], args[2]);
    token.allowances.set(slot, allowed - args[2]);
    return;
  }
  throw new Revert(`${functionName} is a view function; nothing to send`);
}

/** Gas a transaction with this calldata uses: 21,000 plus calldata, plus execution for a contract call. */
export function gasFor(data) {
  if (!data || data === "0x") return 21_000n;
  let gas = 21_000n + 30_000n;
  for (let i = 2; i < data.length; i += 2) gas += data.slice(i, i + 2) === "00" ? 4n : 16n;
  return gas;
}

/** A gas cost in wei quoted in USD micros, rounded up. */
export function usdMicros(wei) {
  const scaled = wei * ETH_USD * 1_000_000n;
  const unit = 10n ** 18n;
  return (scaled + unit - 1n) / unit;
}
