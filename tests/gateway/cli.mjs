// The simulator as a local Run402 gateway for developing apps:
//   node tests/gateway/server.mjs [--port N] [--payments] [--fund USDC] ...
// (or ./dev gateway ...). Says at once that it is starting, shows progress
// while the embedded Postgres boots, then prints the URL and a test wallet
// funded on the simulator's ledger, ready for allowanceCredentials.
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { mint } from "./ledger.mjs";
import { NETWORKS } from "./networks.mjs";

export const DEFAULT_PORT = 4402;
const DEFAULT_FUND_USDC = 10;

const USAGE = `usage: node tests/gateway/server.mjs [options]
  --port N               listen on 127.0.0.1:N (default ${DEFAULT_PORT}; 0 picks a free port)
  --payments             paid routes answer 402 until paid with x402, as the real gateway
  --fund USDC            fund a fresh test wallet with this much testnet USDC (default ${DEFAULT_FUND_USDC}; 0: no wallet)
  --admin-wallet 0x...   treat this wallet as an admin (repeatable)
  --x402-versions 1,2    protocol versions offered and accepted (default 1,2)
  --networks eip155:84532,eip155:8453   networks offered (default Base Sepolia)
  --price-override N     charge N USD micros on every paid route
  --faucet-window S      the faucet funds once per client IP per S seconds (default 86400; 0: no limit)`;

export function parseArgs(argv) {
  const options = { port: DEFAULT_PORT, payments: false, adminWallets: [], fund: DEFAULT_FUND_USDC };
  const list = (value) => String(value ?? "").split(",").filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--port") options.port = Number(argv[++i]);
    else if (argv[i] === "--payments") options.payments = true;
    else if (argv[i] === "--fund") options.fund = Number(argv[++i]);
    else if (argv[i] === "--admin-wallet") options.adminWallets.push(argv[++i]);
    else if (argv[i] === "--x402-versions") options.x402Versions = list(argv[++i]).map(Number);
    else if (argv[i] === "--networks") options.networks = list(argv[++i]);
    else if (argv[i] === "--price-override") options.priceOverride = Number(argv[++i]);
    else if (argv[i] === "--faucet-window") options.faucetWindowSeconds = Number(argv[++i]);
    else if (argv[i] === "--help" || argv[i] === "-h") options.help = true;
    else throw new Error(`Unknown argument: ${argv[i]}\n${USAGE}`);
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new Error("--port needs an integer from 0 to 65535");
  if (!Number.isFinite(options.fund) || options.fund < 0) throw new Error("--fund needs a non-negative number of USDC");
  return options;
}

/**
 * Makes a fresh key and credits it `usdc` testnet USDC on every network the
 * simulator offers (straight into its ledger, like POST /__sim/fund).
 * Returns `{address, privateKey}`: a test-only key, never funded anywhere real.
 */
export function fundTestWallet(sim, usdc = DEFAULT_FUND_USDC) {
  const privateKey = generatePrivateKey();
  const { address } = privateKeyToAccount(privateKey);
  for (const network of sim.state.config.networks) {
    mint(sim.state.ledger, { network, asset: NETWORKS[network].usdc, address: address.toLowerCase(), amount: BigInt(Math.round(usdc * 1e6)), kind: "fund" });
  }
  return { address, privateKey };
}

/** Progress on stderr while `promise` runs: one line rewritten on a terminal, a line every 5 s otherwise. */
async function withProgress(promise, label) {
  const started = Date.now();
  const tty = process.stderr.isTTY;
  const timer = setInterval(() => {
    const s = Math.round((Date.now() - started) / 1000);
    if (tty) process.stderr.write(`\r${label}… ${s} s`);
    else if (s % 5 === 0) process.stderr.write(`${label}… ${s} s\n`);
  }, 1000);
  try {
    return await promise;
  } finally {
    clearInterval(timer);
    if (tty) process.stderr.write("\r\x1b[K");
  }
}

export async function main(argv, start) {
  let options;
  try {
    options = parseArgs(argv);
  } catch (err) {
    console.error(err.message);
    process.exit(2);
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const { fund, ...startOptions } = options;
  process.stderr.write("Run402 gateway simulator: starting (the embedded Postgres, PGlite, takes a few seconds to boot)\n");
  let sim;
  try {
    sim = await withProgress(start(startOptions), "booting Postgres");
  } catch (err) {
    console.error(err.code === "EADDRINUSE" ? `port ${options.port} is in use: pass --port N (or --port 0 for a free one)` : err.message);
    process.exit(2);
  }
  const { config } = sim.state;
  const lines = [
    `Run402 simulator listening on ${sim.url}`,
    `  x402 payments: ${config.payments ? "on (paid routes answer 402 until paid)" : "off (pass --payments to charge like the real gateway)"}; networks: ${config.networks.join(", ")}`,
  ];
  if (fund > 0) {
    const wallet = fundTestWallet(sim, fund);
    lines.push(
      `Test wallet, funded with ${fund} USDC on ${config.networks.join(" and ")} (made for this run; test-only, never use it elsewhere):`,
      `  address:     ${wallet.address}`,
      `  private key: ${wallet.privateKey}`,
      `Use it from the SDK:`,
      `  new Run402({ apiBase: "${sim.url}", credentials: allowanceCredentials({ allowance: { address: "${wallet.address}", privateKey: "${wallet.privateKey}" } }) })`,
    );
  }
  lines.push(`Simulator controls: GET ${sim.url}/__sim/ledger?address=0x..., POST ${sim.url}/__sim/fund {"address","amount"} (base units). Ctrl-C stops.`);
  console.log(lines.join("\n"));
  const stop = async () => {
    await sim.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
