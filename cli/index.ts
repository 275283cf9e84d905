// The loadlab command line's entry: cli/loadlab.js (the bin) loads it, bundled or through tsx.
import { k6StyleArgs, loadlabProgram } from './program.ts';

const program = await loadlabProgram(process.argv.slice(2));
await program.parseAsync(k6StyleArgs(process.argv));
