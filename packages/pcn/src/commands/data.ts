/** `pcn data download`: the only command that touches the network. */
import type { Command } from 'commander';
import { DATASET_NAMES, DATASET_SOURCES, type DatasetName } from 'predictive-coding/data';
import { type DownloadReport, downloadDataset } from '../download.ts';
import { choice, urls } from '../options.ts';

export function registerData(program: Command): void {
  const data = program.command('data').description('datasets');
  data
    .command('download')
    .description(
      'download MNIST or Fashion-MNIST (four IDX .gz files) or CIFAR-10 (the binary tarball, extracted into cifar-10-batches-bin/), verified against their SHA-256 sums',
    )
    .argument('<name>', DATASET_NAMES.join('|'), choice(DATASET_NAMES))
    .option('--dir <dir>', 'destination directory (default data/<name>)')
    .option(
      '--mirror <url>',
      'base URL to fetch from instead of the public mirrors (http or https; repeat it, or separate URLs by commas, to try several in order)',
      urls,
    )
    .action(async (name: DatasetName, opts: { dir?: string; mirror?: string[] }) => {
      const dir = opts.dir ?? `data/${name}`;
      const source = opts.mirror ? { ...DATASET_SOURCES[name], mirrors: opts.mirror } : DATASET_SOURCES[name];
      await downloadDataset(source, dir, (r) => console.log(describe(r)));
      console.log(`${name} is in ${dir}; train on it with: pcn train --data ${dir}`);
    });
}

function describe(r: DownloadReport): string {
  const mb = `${(r.bytes / 1e6).toFixed(1)} MB`;
  if (r.status === 'present') return `${r.file}: already present, checksum ok`;
  if (r.status === 'extracted') return `${r.file}: ${mb} extracted`;
  return `${r.file}: ${mb} from ${r.from}, checksum ok`;
}
