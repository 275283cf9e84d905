#!/usr/bin/env node
// The published bin: registers tsx in-process so users need no build step and signals
// (Ctrl-C) reach the CLI itself rather than a wrapper.
import { register } from 'tsx/esm/api';

register();
await import('./index.ts');
