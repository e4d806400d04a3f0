#!/usr/bin/env node
// The `leeway` command. Sources are TypeScript, run through tsx's loader (no build step needed).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
