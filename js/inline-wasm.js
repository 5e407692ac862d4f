// Decodes the wasm that ./dev build stores as ASCII text (the format is
// described in tools/inline-wasm.mjs): `singles` (64 hex digits, a 256-bit
// set) names the bytes written as one character; those take the alphabet's
// characters after its first two in byte order, and the other bytes, also in
// byte order, are written as one of the first two characters (a prefix)
// followed by one of the same characters.
export function wasmBytes({ length, alphabet, singles, text }) {
  const n = alphabet.length - 2;
  // The byte each character stands for, one table per prefix (none, first,
  // second); 256 marks a character the encoder never writes.
  const tables = [0, 1, 2].map(() => new Uint16Array(128).fill(256));
  let ones = 0;
  let twos = 0;
  for (let byte = 0; byte < 256; byte++) {
    // Bit `byte` of the set: hex digit 63 - byte/4 holds bits 4k..4k+3.
    if ((parseInt(singles[63 - (byte >> 2)], 16) >> (byte & 3)) & 1) {
      tables[0][alphabet.charCodeAt(2 + ones++)] = byte;
    } else {
      tables[1 + Math.floor(twos / n)][alphabet.charCodeAt(2 + (twos++ % n))] = byte;
    }
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
