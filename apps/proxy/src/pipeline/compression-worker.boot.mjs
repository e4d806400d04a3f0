// Worker entry: the proxy runs TypeScript sources through tsx, so the worker registers tsx's loader first.
import { register } from 'tsx/esm/api';

register();
await import('./compression.worker.ts');
