/**
 * The tar reader behind `pcn data download`: wanted members by name, every
 * tar form real archivers write, and a refusal — one line naming the archive,
 * nothing returned — for anything that could write outside the destination.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readTarGz, tarParser } from '../../packages/pcn/src/untar.ts';
import { catchPcError, rejectsPcError } from '../helpers/errors.ts';
import { pax, type TarEntry, tar, tarGz } from './tar-fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'pc-untar-'));
const wanted = new Set(['d/a.bin', 'd/b.txt']);
const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) % 256);

/** Parses `archive` fed `chunk` bytes at a time. */
function parse(archive: Uint8Array, chunk = archive.length, want: ReadonlySet<string> = wanted, cap = 2 ** 20): Map<string, Uint8Array> {
  const p = tarParser('t.tar.gz', want, cap);
  for (let i = 0; i < archive.length; i += chunk) p.push(archive.subarray(i, i + chunk));
  return p.end();
}
const refusal = (archive: Uint8Array, cap?: number): string => {
  const message = catchPcError(() => parse(archive, archive.length, wanted, cap), 'data').message;
  expect(message.split('\n')).toHaveLength(1);
  expect(message).toMatch(/^t\.tar\.gz: .*; the archive is refused and nothing was extracted\. Download it again\.$/);
  return message;
};
const asObject = (m: Map<string, Uint8Array>) => Object.fromEntries([...m].map(([k, v]) => [k, Array.from(v)]));

describe('reading members', () => {
  const a = bytes(700, 1);
  const archive = tar([
    { name: 'd', type: '5' },
    { name: 'd/a.bin', data: a },
    { name: 'd/other.bin', data: bytes(1500, 2) },
    { name: './d/b.txt', data: 'hi' },
  ]);

  it('returns the wanted regular files, whatever the chunking, and skips the rest', () => {
    const expected = { 'd/a.bin': Array.from(a), 'd/b.txt': [104, 105] };
    for (const chunk of [archive.length, 512, 511, 100, 1]) expect(asObject(parse(archive, chunk)), `chunk ${chunk}`).toEqual(expected);
  });

  it('reads ustar prefixes, GNU long names, pax paths and sizes, base-256 sizes, and archives without end blocks', () => {
    const long = `${'x'.repeat(120)}/a.bin`;
    const forms: TarEntry[][] = [
      [{ name: 'a.bin', prefix: 'd', data: a }],
      [
        { name: '././LongLink', type: 'L', data: 'd/a.bin\0' },
        { name: 'truncated-name', data: a },
      ],
      [pax({ path: 'd/a.bin' }), { name: 'something-else', data: a }],
      [{ name: 'd/a.bin', data: a, base256: true }],
      [pax({ path: long }), { name: 'short', data: a }],
    ];
    for (const [i, entries] of forms.entries()) {
      const want = new Set([i === 4 ? long : 'd/a.bin']);
      expect(asObject(parse(tar(entries, i !== 3), 97, want)), `form ${i}`).toEqual({ [[...want][0]]: Array.from(a) });
    }
  });

  it('reads what GNU tar writes, in its own format and in POSIX pax format', async () => {
    const src = join(root, 'gnu');
    mkdirSync(join(src, 'd'), { recursive: true });
    writeFileSync(join(src, 'd', 'a.bin'), a);
    writeFileSync(join(src, 'd', 'b.txt'), 'hi');
    for (const format of ['gnu', 'posix']) {
      const out = join(root, `${format}.tar.gz`);
      const r = spawnSync('tar', ['-czf', out, `--format=${format}`, '-C', src, 'd'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(asObject(await readTarGz(out, 'gnu.tar.gz', wanted, 2 ** 20)), format).toEqual({ 'd/a.bin': Array.from(a), 'd/b.txt': [104, 105] });
    }
  });
});

describe('refusing an archive', () => {
  it('with an entry that would leave the destination folder, however it is named', () => {
    for (const name of ['../evil', '/etc/evil', 'd/../../evil', 'd/..', 'C:evil', '..\\evil'])
      expect(
        refusal(
          tar([
            { name: 'd/a.bin', data: 'ok' },
            { name, data: 'x' },
          ]),
        ),
        name,
      ).toContain(`its entry "${name.replace(/\\/g, '\\\\')}" would be written outside the destination folder`);
    expect(refusal(tar([pax({ path: '../evil' }), { name: 'innocent', data: 'x' }]))).toContain('its entry "../evil" would be written outside');
    expect(
      refusal(
        tar([
          { name: '././LongLink', type: 'L', data: '/abs/evil\0' },
          { name: 'innocent', data: 'x' },
        ]),
      ),
    ).toContain('its entry "/abs/evil"');
  });

  it('with links, devices or FIFOs, even under a wanted name', () => {
    const cases: [string, string][] = [
      ['2', 'a symbolic link'],
      ['1', 'a hard link'],
      ['3', 'a character device'],
      ['4', 'a block device'],
      ['6', 'a FIFO'],
    ];
    for (const [type, what] of cases)
      expect(refusal(tar([{ name: 'd/a.bin', type, linkname: '/etc/passwd' }]))).toContain(
        `its entry "d/a.bin" is ${what}, which a dataset archive never holds`,
      );
  });

  it('with a bad header checksum, an unreadable size, a truncation, a wanted member twice or over the cap', () => {
    expect(refusal(tar([{ name: 'd/a.bin', data: 'x', checksumOffBy: 1 }]))).toMatch(
      /the header at byte 0 has checksum \d+ but its bytes sum to \d+: it is not a tar archive or is corrupt/,
    );
    const size = tar([{ name: 'd/a.bin', data: 'x' }]);
    size.set(new TextEncoder().encode('9'), 124); // not octal; the checksum stays right for the new byte
    const sum = size.subarray(0, 512).reduce((s, b, i) => s + (i >= 148 && i < 156 ? 32 : b), 0);
    size.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
    expect(refusal(size)).toContain('the header at byte 0 has an unreadable size field');
    const whole = tar([{ name: 'd/a.bin', data: bytes(700, 0) }], false);
    expect(refusal(whole.subarray(0, 800))).toContain('it ends inside the entry "d/a.bin" (412 bytes missing at byte 800): it is truncated');
    expect(refusal(whole.subarray(0, 300))).toContain('it ends inside a header at byte 300: it is truncated');
    expect(
      refusal(
        tar([
          { name: 'd/a.bin', data: 'x' },
          { name: './d/a.bin', data: 'y' },
        ]),
      ),
    ).toContain('it holds "d/a.bin" twice');
    expect(refusal(tar([{ name: 'd/a.bin', data: bytes(100, 0) }]), 99)).toContain('its member "d/a.bin" is 100 bytes, over the 99 expected at most');
  });

  it("read from a file, with the parser's own refusal (not the stream's abort)", async () => {
    const path = join(root, 'evil.tar.gz');
    writeFileSync(
      path,
      tarGz([
        { name: 'd/a.bin', data: bytes(5000, 3) },
        { name: '../evil', data: 'x' },
      ]),
    );
    expect((await rejectsPcError(readTarGz(path, 'evil.tar.gz', wanted, 2 ** 20), 'data')).message).toMatch(
      /^evil\.tar\.gz: its entry "\.\.\/evil" would be written outside/,
    );
  });

  it('whose gzip stream is corrupt, as a data error naming it', async () => {
    const gz = tarGz([{ name: 'd/a.bin', data: bytes(5000, 3) }]);
    gz[gz.length - 6] ^= 0xff; // inside the CRC-32 trailer
    const path = join(root, 'corrupt.tar.gz');
    writeFileSync(path, gz);
    expect((await rejectsPcError(readTarGz(path, 'corrupt.tar.gz', wanted, 2 ** 20), 'data')).message).toMatch(
      /^corrupt\.tar\.gz: the gzip stream is corrupt or truncated \(.*\)\. Download it again\.$/,
    );
    writeFileSync(path, gzipSync(new Uint8Array(0)).subarray(0, 5));
    expect((await rejectsPcError(readTarGz(path, 'corrupt.tar.gz', wanted, 2 ** 20), 'data')).message).toMatch(
      /^corrupt\.tar\.gz: the gzip stream is corrupt or truncated/,
    );
  });
});
