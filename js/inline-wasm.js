// Decodes the wasm that ./dev build stores as ASCII text (the format is
// described in tools/inline-wasm.mjs): each character names a byte by its
// frequency rank; the alphabet's first two characters prefix the ranks past
// the single-character ones.
export function wasmBytes({ length, alphabet, order, text }) {
  const n = alphabet.length - 2;
  // The byte each character stands for, one table per prefix (none, first,
  // second); 256 marks a character the encoder never writes.
  const tables = [0, 1, 2].map(() => new Uint16Array(128).fill(256));
  for (let i = 2; i < alphabet.length; i++) {
    tables.forEach((table, prefix) => {
      const rank = prefix * n + i - 2;
      if (rank < order.length) table[alphabet.charCodeAt(i)] = order[rank];
    });
  }
  const [single, afterFirst, afterSecond] = tables;
  const first = alphabet.charCodeAt(0);
  const second = alphabet.charCodeAt(1);
  const out = new Uint8Array(length);
  // The loop runs once per process, mostly before the JIT warms up: keep it
  // to a few operations per character, with validity folded into two ORs.
  let j = 0;
  let chars = 0;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    let table = single;
    if (c === first) {
      table = afterFirst;
      c = text.charCodeAt(++i);
    } else if (c === second) {
      table = afterSecond;
      c = text.charCodeAt(++i);
    }
    const byte = table[c & 127];
    chars |= c;
    bytes |= byte;
    out[j++] = byte;
  }
  // A bundler or minifier that rewrote the string would otherwise surface as
  // an obscure CompileError.
  if (j !== length || chars > 127 || bytes > 255) {
    throw new Error(`@run402/sdk-wasm: the inlined wasm is damaged (${text.length} characters for ${length} bytes); was the package's JS rewritten?`);
  }
  return out;
}
