// Benchmark-only preload: lets the load generator request a full GC in the proxy process (SIGUSR2) before
// sampling memory, so samples compare live memory rather than uncollected garbage.
process.on('SIGUSR2', () => {
  if (typeof global.gc === 'function') global.gc();
});
