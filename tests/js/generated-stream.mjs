// Deterministic content of `total` bytes made as it is read: the stream holds
// one 64 KiB chunk at a time, so a process uploading it holds only what the
// SDK holds. Shared by the bounded-memory test's child
// (blobs-memory-child.mjs) and the benchmark's (bench/child-blob-upload.mjs),
// so both measure the same content.
const CHUNK = 64 * 1024;

export function generatedStream(total) {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= total) return controller.close();
      const n = Math.min(CHUNK, total - at);
      const chunk = new Uint8Array(n);
      for (let i = 0; i < n; i += 4096) chunk[i] = (at + i) & 255;
      at += n;
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 1 });
}
