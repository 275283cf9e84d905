// The loadlab command line as a commander program, apart from its entry (index.ts) so that tests can
// drive it in-process where starting a process would prove nothing.
import { Command } from 'commander';
import { LOADLAB_VERSION } from '../engine/version.ts';

type Register = (program: Command) => void;

// Each subcommand's module pulls in what it runs (the engine, Fastify…), so only the one being run is
// imported; `loadlab --help` lists the others from this table alone.
const SUBCOMMANDS: Record<string, { description: string; load: () => Promise<{ register: Register }> }> = {
  run: {
    description: 'run a k6 script (TypeScript or JavaScript) on the embedded engine, or on k6 with --engine k6',
    load: () => import('./run.ts'),
  },
  mocks: {
    description: 'start the identity, portal and NDXP mocks; prints one JSON line with their base URLs when ready; Ctrl-C stops',
    load: () => import('./mocks.ts'),
  },
  bundle: {
    description: 'write k6-ready JS for every scenario to dist/k6/ and k6-operator TestRun manifests to dist/k6-operator/',
    load: () => import('./bundle.ts'),
  },
  capacity: {
    description:
      'step the arrival rate up until the SLO breaks; records per-step aggregates, saturation and where and why it broke (capacity.json)',
    load: () => import('./capacity.ts'),
  },
  report: {
    description: 'render the capacity / load report of a results folder (a run, a capacity search or an `npm start` suite)',
    load: () => import('./report.ts'),
  },
  stack: {
    description: 'a local Prometheus (scrapes the mocks, receives remote write) for the Grafana dashboards',
    load: () => import('./stack.ts'),
  },
  start: {
    description:
      'the main job (`npm start`): start the mocks in-process, run the standard suite at the smoke profile, a short capacity search on the login flow, and write the report',
    load: () => import('./start.ts'),
  },
};

export const SUBCOMMAND_NAMES = Object.keys(SUBCOMMANDS);

/**
 * The program for these arguments (those after `loadlab`), with the subcommand they name loaded.
 * `configureEach` is applied to every command of the tree (tests: exitOverride, configureOutput), since
 * subcommands built apart and then added do not inherit those settings.
 */
export async function loadlabProgram(args: readonly string[], configureEach?: (command: Command) => void): Promise<Command> {
  const program = new Command('loadlab')
    .description('Load tests for the National Public Service Portal, VNeID and NDXP: k6 scenarios, mocks, dashboards, capacity reports')
    .version(LOADLAB_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true);
  const first = args.find((arg) => !arg.startsWith('-'));
  // `loadlab help run` asks for the help of `run`, so `run` is the one to load.
  const wanted = first === 'help' ? args[args.indexOf('help') + 1] : first;
  for (const [name, subcommand] of Object.entries(SUBCOMMANDS)) {
    if (name === wanted) {
      (await subcommand.load()).register(program);
      program.commands.find((command) => command.name() === name)?.description(subcommand.description);
    } else {
      program.command(name).description(subcommand.description);
    }
  }
  if (configureEach) {
    const visit = (command: Command) => {
      configureEach(command);
      for (const child of command.commands) visit(child);
    };
    visit(program);
  }
  return program;
}

/**
 * k6's --http-debug takes its value only after '=' (`--http-debug=full`); bare, it means headers and the
 * next word is the script, which commander's optional value would swallow.
 */
export function k6StyleArgs(args: readonly string[]): string[] {
  return args.map((arg) => (arg === '--http-debug' ? '--http-debug=headers' : arg));
}
