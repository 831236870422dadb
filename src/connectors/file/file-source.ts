// FileSource: reads files (or every file under a directory) as splits, one file per split,
// line by line in bounded chunks. A split's position is its byte offset, so reading can resume.
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IllegalArgumentError } from '../../core/index.ts';
import type {
  Boundedness,
  Source,
  SourceReader,
  SourceReaderContext,
  SplitEnumerator,
  SplitEnumeratorContext,
} from '../../functions/index.ts';
import { IteratorSourceReader, type SplitCursor } from '../source-base/iterator-source-reader.ts';
import { StaticSplitEnumerator } from '../source-base/static-split-enumerator.ts';

/** A file to read from `offset`. */
export interface FileSourceSplit {
  readonly splitId: string;
  readonly path: string;
  offset: number;
}

const CHUNK = 64 * 1024;

/** Lines of a file from a byte offset; tracks the offset of the next unread line. */
function* readLines(split: FileSourceSplit): Generator<string> {
  const fd = openSync(split.path, 'r');
  try {
    let position = split.offset;
    let carry = Buffer.alloc(0);
    const chunk = Buffer.allocUnsafe(CHUNK);
    while (true) {
      const n = readSync(fd, chunk, 0, CHUNK, position + carry.length);
      const data = carry.length === 0 ? chunk.subarray(0, n) : Buffer.concat([carry, chunk.subarray(0, n)]);
      let start = 0;
      for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
        const end = nl > start && data[nl - 1] === 13 ? nl - 1 : nl;
        const line = data.toString('utf8', start, end);
        start = nl + 1;
        split.offset = position + start;
        yield line;
      }
      position += start;
      carry = Buffer.from(data.subarray(start));
      if (n === 0) {
        if (carry.length > 0) {
          split.offset = position + carry.length;
          yield carry.toString('utf8');
        }
        return;
      }
    }
  } finally {
    closeSync(fd);
  }
}

class TextLineReader extends IteratorSourceReader<string, FileSourceSplit> {
  protected open(split: FileSourceSplit): SplitCursor<string> {
    return { iterator: readLines(split) };
  }
  protected override splitState(split: FileSourceSplit): FileSourceSplit {
    return { ...split };
  }
}

/** Lists the files of a path: the file itself, or every non-hidden file under a directory, sorted. */
export function listFiles(path: string): string[] {
  const root = resolve(path);
  if (!existsSync(root)) throw new IllegalArgumentError(`FileSource: path "${path}" does not exist`);
  if (statSync(root).isFile()) return [root];
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.') || name.startsWith('_')) continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(root);
  return out;
}

/**
 * Reads text files line by line (Flink's `FileSource.forRecordStreamFormat(new TextLineInputFormat(), path)`).
 *
 * @example
 * env.fromSource(FileSource.forTextLines('/data/logs'), WatermarkStrategy.noWatermarks(), 'logs');
 */
export class FileSource implements Source<string, FileSourceSplit, FileSourceSplit[]> {
  readonly paths: readonly string[];

  private constructor(paths: readonly string[]) {
    this.paths = paths;
  }

  /** Reads the lines of a file, or of every file under a directory (hidden files skipped). */
  static forTextLines(...paths: string[]): FileSource {
    if (paths.length === 0)
      throw new IllegalArgumentError('FileSource.forTextLines(): at least one path is required');
    for (const p of paths) {
      if (typeof p !== 'string' || !existsSync(p)) {
        throw new IllegalArgumentError(`FileSource.forTextLines(): path ${JSON.stringify(p)} does not exist`);
      }
    }
    return new FileSource(paths.map((p) => resolve(p)));
  }

  getBoundedness(): Boundedness {
    return 'BOUNDED';
  }

  createEnumerator(
    ctx: SplitEnumeratorContext<FileSourceSplit>,
  ): SplitEnumerator<FileSourceSplit, FileSourceSplit[]> {
    const files = this.paths.flatMap((p) => listFiles(p));
    return new StaticSplitEnumerator(
      ctx,
      files.map((path, i) => ({ splitId: `${i}:${path}`, path, offset: 0 })),
    );
  }

  restoreEnumerator(
    ctx: SplitEnumeratorContext<FileSourceSplit>,
    checkpoint: FileSourceSplit[],
  ): SplitEnumerator<FileSourceSplit, FileSourceSplit[]> {
    return new StaticSplitEnumerator(ctx, checkpoint);
  }

  createReader(ctx: SourceReaderContext): SourceReader<string, FileSourceSplit> {
    return new TextLineReader(ctx);
  }
}
