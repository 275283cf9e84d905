import { Command } from 'commander';
import { LOADLAB_VERSION } from '../engine/version.ts';
import { register as registerBundle } from './bundle.ts';
import { register as registerCapacity } from './capacity.ts';
import { register as registerMocks } from './mocks.ts';
import { register as registerReport } from './report.ts';
import { register as registerRun } from './run.ts';
import { register as registerStack } from './stack.ts';
import { register as registerStart } from './start.ts';

const program = new Command('loadlab')
  .description('Load tests for the National Public Service Portal, VNeID and NDXP: k6 scenarios, mocks, dashboards, capacity reports')
  .version(LOADLAB_VERSION)
  .showHelpAfterError('(run with --help for usage)')
  .showSuggestionAfterError(true);

for (const register of [registerRun, registerMocks, registerBundle, registerCapacity, registerReport, registerStack, registerStart]) {
  register(program);
}

await program.parseAsync(process.argv);
