import type { CliCommand } from '../command.ts';
import { appendCommand } from './append.ts';
import { checkpointCommand } from './checkpoint.ts';
import { exportBundleCommand } from './export.ts';
import { initCommand } from './init.ts';
import { consistencyCommand, inclusionCommand } from './proof.ts';
import { protocolCheckCommand, protocolTestCommand } from './protocol.ts';
import { scenarioRunCommand } from './scenario.ts';
import { stateCommand } from './state.ts';
import { verifyCommand } from './verify.ts';

/** every `concord` command, in the order --help lists them */
export const COMMANDS: readonly CliCommand[] = [
  initCommand,
  appendCommand,
  checkpointCommand,
  inclusionCommand,
  consistencyCommand,
  exportBundleCommand,
  verifyCommand,
  scenarioRunCommand,
  stateCommand,
  protocolCheckCommand,
  protocolTestCommand,
];
