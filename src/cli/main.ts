// The `sluice` command line: run jobs on the embedded cluster or a standalone cluster, inspect
// their plans, start the cluster's JobManager and TaskManager processes, list and cancel jobs.
import { Command, InvalidArgumentError } from 'commander';
import {
  cancelJob,
  listJobs,
  savepointJob,
  startJobManager,
  startTaskManager,
  stopJob,
  type TaskManagerCommandOptions,
} from './cluster-commands.ts';
import { infoJobFile } from './info-command.ts';
import { runJobOnCluster } from './remote-run-command.ts';
import { RestClientError } from './rest-cluster-client.ts';
import { describeFailure, runJobFile } from './run-command.ts';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`expected a port number, got "${value}"`);
  return n;
}

/** The shared secret of a client command: --token, else SLUICE_SECURITY_TOKEN. */
function clientToken(flag: string | undefined): string {
  return flag ?? process.env.SLUICE_SECURITY_TOKEN ?? '';
}

/** `sluice --verbose <command>`: failures with their stacks and causes. */
let verbose = false;

/** A failure of a command: its message when it is the user's or the cluster's, else the stack. */
function describeClusterFailure(e: unknown): string {
  if (e instanceof RestClientError && !verbose) return `Error: ${e.message}`;
  return describeFailure(e, verbose);
}

function fail(e: unknown): never {
  process.stderr.write(`${describeClusterFailure(e)}\n`);
  process.exit(1);
}

/** A job id argument, checked before anything is printed or sent (Flink: "Could not parse JobID"). */
function jobIdArgument(value: string): string {
  if (!/^[0-9a-f]{32}$/.test(value))
    throw new InvalidArgumentError(`"${value}" is not a job id (32 lowercase hex characters)`);
  return value;
}

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
    .option(
      '--verbose',
      'on failure, print stack traces and causes (before the command: sluice --verbose run ...)',
    )
    .enablePositionalOptions()
    .hook('preAction', (cmd) => {
      verbose = cmd.opts<{ verbose?: boolean }>().verbose === true;
    });

  program
    .command('run')
    .description(
      'run a job file (TypeScript or JavaScript) on the embedded cluster, or with -m on a standalone cluster',
    )
    .option('-p, --parallelism <n>', 'default parallelism of the job', positiveInt)
    .option(
      '-m, --jobmanager <host:port>',
      'submit to the JobManager at host:port instead of running embedded',
    )
    .option('-d, --detached', 'with -m: print the job id and return without waiting for the job')
    .option('-s, --fromSavepoint <path>', 'restore the job from this savepoint or retained checkpoint')
    .option('-n, --allowNonRestoredState', 'with -s: skip state of operators that are no longer in the job')
    .option('--token <secret>', "with -m: the cluster's security.token (default: $SLUICE_SECURITY_TOKEN)")
    .argument('<job>', 'job file (.ts, .mts, .js, .mjs)')
    .argument('[args...]', 'arguments passed to the job as process.argv.slice(2)')
    .passThroughOptions()
    .action(
      async (
        job: string,
        args: string[],
        opts: {
          parallelism?: number;
          jobmanager?: string;
          detached?: boolean;
          token?: string;
          fromSavepoint?: string;
          allowNonRestoredState?: boolean;
        },
      ) => {
        try {
          if (opts.jobmanager !== undefined) {
            await runJobOnCluster(job, args, {
              jobmanager: opts.jobmanager,
              detached: opts.detached === true,
              token: clientToken(opts.token),
              ...(opts.parallelism === undefined ? {} : { parallelism: opts.parallelism }),
              ...(opts.fromSavepoint === undefined
                ? {}
                : {
                    savepointPath: opts.fromSavepoint,
                    allowNonRestoredState: opts.allowNonRestoredState === true,
                  }),
            });
            process.exit(0);
          }
          await runJobFile(job, args, {
            ...(opts.parallelism === undefined ? {} : { parallelism: opts.parallelism }),
            ...(opts.fromSavepoint === undefined ? {} : { savepointPath: opts.fromSavepoint }),
            allowNonRestoredState: opts.allowNonRestoredState === true,
          });
        } catch (e) {
          process.stderr.write(
            `\n------------------------------------------------------------\n The program finished with the following exception:\n\n${describeClusterFailure(e)}\n`,
          );
          process.exitCode = 1;
          if (opts.jobmanager !== undefined) process.exit(1);
        }
      },
    );

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
        fail(e);
      }
    });

  program
    .command('jobmanager')
    .description('start a JobManager: REST API and TaskManager RPC endpoint on one port')
    .option('--port <port>', 'port of the REST API and RPC endpoint (rest.port, default 8081; 0 = any)', port)
    .option('--bind <address>', 'address to listen on (rest.bind-address, default 127.0.0.1)')
    .option('--config <file>', 'YAML configuration file (overridden by SLUICE_* variables, then flags)')
    .action(async (opts: { port?: number; bind?: string; config?: string }) => {
      try {
        await startJobManager(opts);
      } catch (e) {
        fail(e);
      }
    });

  program
    .command('taskmanager')
    .description('start a TaskManager that registers with a JobManager and runs tasks in worker threads')
    .option('--jobmanager <host:port>', 'the JobManager (jobmanager.rpc.address and .port)')
    .option('--slots <n>', 'task slots (taskmanager.numberOfTaskSlots; default: CPU cores)', positiveInt)
    .option('--bind <address>', 'address of the data port (taskmanager.bind-host, default 127.0.0.1)')
    .option(
      '--host <address>',
      'address other TaskManagers dial for records (taskmanager.host; default: the bind address)',
    )
    .option(
      '--data-port <port>',
      'port of the data plane (taskmanager.data.port; default: any free port)',
      port,
    )
    .option('--config <file>', 'YAML configuration file (overridden by SLUICE_* variables, then flags)')
    .action(async (opts: TaskManagerCommandOptions) => {
      try {
        await startTaskManager(opts);
      } catch (e) {
        fail(e);
      }
    });

  program
    .command('list')
    .description('list the jobs of a standalone cluster')
    .requiredOption('-m, --jobmanager <host:port>', 'the JobManager')
    .option('-a, --all', 'also list terminated jobs')
    .option('-r, --running', 'list only running and restarting jobs')
    .option('-s, --scheduled', 'list only scheduled jobs (waiting for slots)')
    .option('--token <secret>', "the cluster's security.token (default: $SLUICE_SECURITY_TOKEN)")
    .action(
      async (opts: {
        jobmanager: string;
        all?: boolean;
        running?: boolean;
        scheduled?: boolean;
        token?: string;
      }) => {
        try {
          const only = opts.running === true ? 'running' : opts.scheduled === true ? 'scheduled' : undefined;
          process.stdout.write(
            `${await listJobs(opts.jobmanager, clientToken(opts.token), opts.all === true, only)}\n`,
          );
          process.exit(0);
        } catch (e) {
          fail(e);
        }
      },
    );

  program
    .command('cancel')
    .description('cancel a job of a standalone cluster')
    .requiredOption('-m, --jobmanager <host:port>', 'the JobManager')
    .option('--token <secret>', "the cluster's security.token (default: $SLUICE_SECURITY_TOKEN)")
    .argument('<jobId>', 'the job id (32 hex characters)', jobIdArgument)
    .action(async (jobId: string, opts: { jobmanager: string; token?: string }) => {
      try {
        process.stdout.write(`Cancelling job ${jobId}.\n`);
        process.stdout.write(`${await cancelJob(opts.jobmanager, clientToken(opts.token), jobId)}\n`);
        process.exit(0);
      } catch (e) {
        fail(e);
      }
    });

  program
    .command('savepoint')
    .description('take a savepoint of a running job of a standalone cluster')
    .requiredOption('-m, --jobmanager <host:port>', 'the JobManager')
    .option('--token <secret>', "the cluster's security.token (default: $SLUICE_SECURITY_TOKEN)")
    .argument('<jobId>', 'the job id (32 hex characters)', jobIdArgument)
    .argument('[targetDirectory]', "where to write it (default: the job's state.savepoints.dir)")
    .action(async (jobId: string, dir: string | undefined, opts: { jobmanager: string; token?: string }) => {
      try {
        process.stdout.write(`Triggering savepoint for job ${jobId}.\n`);
        process.stdout.write(`${await savepointJob(opts.jobmanager, clientToken(opts.token), jobId, dir)}\n`);
        process.exit(0);
      } catch (e) {
        fail(e);
      }
    });

  program
    .command('stop')
    .description('stop a job of a standalone cluster with a savepoint')
    .requiredOption('-m, --jobmanager <host:port>', 'the JobManager')
    .option(
      '-p, --savepointPath <dir>',
      "where to write the savepoint (default: the job's state.savepoints.dir)",
    )
    .option('-d, --drain', 'emit the max watermark before stopping, so every event-time timer fires')
    .option('--token <secret>', "the cluster's security.token (default: $SLUICE_SECURITY_TOKEN)")
    .argument('<jobId>', 'the job id (32 hex characters)', jobIdArgument)
    .action(
      async (
        jobId: string,
        opts: { jobmanager: string; savepointPath?: string; drain?: boolean; token?: string },
      ) => {
        try {
          process.stdout.write(`Suspending job ${jobId}.\n`);
          process.stdout.write(
            `${await stopJob(opts.jobmanager, clientToken(opts.token), jobId, opts.savepointPath, opts.drain === true)}\n`,
          );
          process.exit(0);
        } catch (e) {
          fail(e);
        }
      },
    );

  return program;
}

/** Entry point of the `sluice` binary. */
export async function main(argv: readonly string[]): Promise<void> {
  await createProgram().parseAsync([...argv]);
}
