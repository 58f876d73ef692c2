function multiply(full: Float32Array, row: Float32Array, out: Float32Array): void {
  for (let start = 0; start < full.length; start += row.length) {
    for (let i = 0; i < row.length; i++) out[start + i] = full[start + i]! * row[i]!;
  }
}
function multiply2(full: Float32Array, row: Float32Array, out: Float32Array): void {
  const n = full.length, L = row.length;
  for (let i = 0, c = 0; i < n; i++) { out[i] = full[i]! * row[c]!; if (++c === L) c = 0; }
}
const mem = new WebAssembly.Memory({ initial: 2000 });
const full = new Float32Array(mem.buffer, 0, 3211264).fill(1.5); const out = new Float32Array(mem.buffer, 3211264 * 4, 3211264); const row = new Float32Array(32).fill(2);
for (const [name, f] of [['nested', multiply], ['flat', multiply2]] as const) {
  for (let r = 0; r < 3; r++) { const c = process.cpuUsage(); f(full, row, out); const u = process.cpuUsage(c); console.log(name, ((u.user + u.system) / 1000).toFixed(1), 'ms'); }
}
const c = process.cpuUsage(); out.set(full); const u = process.cpuUsage(c); console.log('memcpy', ((u.user + u.system) / 1000).toFixed(1));
