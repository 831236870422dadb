// The acceptance job as a job file for `sluice run`: top-level code, arguments from process.argv;
// the savepoint to restore and the parallelism come from the command's -s and -p.
import main from './checkpoints-acceptance.ts';

await main(process.argv.slice(2));
