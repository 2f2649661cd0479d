// Loaded with `node --import` (through NODE_OPTIONS): records every module URL the ES module
// loader resolves into the file named by RECORD_IMPORTS_FILE, one per line, so a test can tell
// which packages a process really loaded.
import { register } from 'node:module';

register('./record-imports-hooks.mjs', import.meta.url, { data: { file: process.env.RECORD_IMPORTS_FILE } });
