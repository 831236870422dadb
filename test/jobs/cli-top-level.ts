// A job file as `sluice run` runs it: top-level code, arguments from process.argv, no main().
// Leaves a trace of where its top-level code ran: code after execute() must run only in the client.
// Usage: sluice run [-p N] cli-top-level.ts <trace-file> <fail|ok> <words...>
import { appendFileSync } from 'node:fs';
import { StreamExecutionEnvironment } from '../../src/index.ts';

const [trace = '', mode = 'ok', ...words] = process.argv.slice(2);
const where = StreamExecutionEnvironment.isPlanMode() ? 'worker' : 'client';
appendFileSync(trace, `before execute in ${where}\n`);

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env
  .fromCollection(words)
  .map((w) => {
    if (mode === 'fail' && w === 'boom') throw new Error(`cannot handle "${w}"`);
    return w.toUpperCase();
  })
  .name('shout')
  .uid('shout-1')
  .print();
await env.execute('cli job');

appendFileSync(trace, `after execute in ${where}\n`);
