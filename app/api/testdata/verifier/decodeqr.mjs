// Decodes a QR code with jsQR, a decoder independent of the Go encoder that
// drew it. Input on stdin: {"size": N, "dark": [[x, y], ...]} — the module
// grid, quiet zone included. Prints the decoded text.
import jsQR from 'jsqr';

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const { size, dark } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const scale = 6;
const px = size * scale;
const data = new Uint8ClampedArray(px * px * 4).fill(255);
for (const [x, y] of dark) {
  for (let dy = 0; dy < scale; dy += 1) {
    for (let dx = 0; dx < scale; dx += 1) {
      const i = ((y * scale + dy) * px + (x * scale + dx)) * 4;
      data[i] = 0; data[i + 1] = 0; data[i + 2] = 0;
    }
  }
}
const code = jsQR(data, px, px);
if (!code) {
  process.stderr.write('no QR code found\n');
  process.exit(1);
}
process.stdout.write(code.data);
