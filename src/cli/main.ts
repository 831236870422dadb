// The `sluice` command line: run jobs on the embedded cluster, inspect their plans.
import { Command, InvalidArgumentError } from 'commander';
import { infoJobFile } from './info-command.ts';
import { describeFailure, runJobFile } from './run-command.ts';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

/** Builds the command-line program. */
export function createProgram(): Command {
  const program = new Command('sluice')
    .description('Sluice: a stateful stream processor for TypeScript in the architecture of Apache Flink')
    .version('0.1.0')
    .enablePositionalOptions();

  program
    .command('run')
    .description('run a job file (TypeScript or JavaScript) on the embedded cluster')
    .option('-p, --parallelism <n>', 'default parallelism of the job', positiveInt)
    .argument('<job>', 'job file (.ts, .mts, .js, .mjs)')
    .argument('[args...]', 'arguments passed to the job as process.argv.slice(2)')
    .passThroughOptions()
    .action(async (job: string, args: string[], opts: { parallelism?: number }) => {
      try {
        await runJobFile(job, args, opts.parallelism === undefined ? {} : { parallelism: opts.parallelism });
      } catch (e) {
        process.stderr.write(
          `\n------------------------------------------------------------\n The program finished with the following exception:\n\n${describeFailure(e)}\n`,
        );
        process.exitCode = 1;
      }
    });

  program
    .command('info')
    .description('print the plan (operators, chains, parallelism) of a job file without running it')
    .option('-p, --parallelism <n>', 'default parallelism of the job', positiveInt)
    .argument('<job>', 'job file')
    .argument('[args...]', 'arguments passed to the job')
    .passThroughOptions()
    .action(async (job: string, args: string[], opts: { parallelism?: number }) => {
      try {
        await infoJobFile(job, args, opts.parallelism);
        process.exit(0);
      } catch (e) {
        process.stderr.write(`${describeFailure(e)}\n`);
        process.exit(1);
      }
    });

  return program;
}

/** Entry point of the `sluice` binary. */
export async function main(argv: readonly string[]): Promise<void> {
  await createProgram().parseAsync([...argv]);
}
