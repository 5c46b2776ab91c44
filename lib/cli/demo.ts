/**
 * `openrms demo`: the main job on the embedded default, for real. It starts the licensing
 * service on SQLite in a temporary folder, adds two users, and then: alice signs in and
 * protects a document for bob with VIEW only (offline publishing, no request); bob signs in,
 * gets a use license from the service and opens the document; his access check for EDIT is
 * false and a plaintext copy is refused; a copy with one flipped bit is refused; with the
 * service stopped, bob opens the document again from his cached license. Everything is
 * removed at the end.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';

import { Command } from 'commander';

import { RmsClient } from '../client/rms-client';
import { randomBytes } from '../crypto/random';
import { isRmsError, RmsError } from '../errors';
import { native } from '../native';
import { startService } from '../server/service';
import { passwordTokenProvider } from '../transport/service-connection';
import { examples } from './command-tree';
import { CommandIo, JsonFlag, jsonLine } from './command-line';

const SAMPLE = Buffer.from(
  'Quarterly results (draft)\n\nRevenue grew 12% on the quarter. Do not forward outside the finance team.\n'.repeat(64),
  'utf8',
);

export interface DemoOptions {
  json: boolean;
  out: Writable;
}

interface Step {
  step: string;
  ms: number;
  detail: string;
}

async function refusal(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (error) {
    if (isRmsError(error)) return error.code;
    throw error;
  }
  throw new RmsError('CRYPTO_FAILURE', 'the demo expected a refusal and got none');
}

export async function runDemo(options: DemoOptions): Promise<void> {
  const steps: Step[] = [];
  const time = async <T>(step: string, detail: (value: T) => string, fn: () => T | Promise<T>): Promise<T> => {
    const start = process.hrtime.bigint();
    const value = await fn();
    steps.push({ step, ms: Number(process.hrtime.bigint() - start) / 1e6, detail: detail(value) });
    return value;
  };
  const root = mkdtempSync(path.join(os.tmpdir(), 'openrms-demo-'));
  try {
    const service = await time('start service', (s) => `${s.url}, SQLite and keys in ${path.join(root, 'service')}`,
      () => startService({ dataDir: path.join(root, 'service'), port: 0, log: () => {} }));
    let serviceStopped = false;
    try {
      const passwords = { alice: randomBytes(12).toString('base64url'), bob: randomBytes(12).toString('base64url') };
      await time('add users', () => 'alice@contoso.com and bob@contoso.com, passwords hashed with scrypt', async () => {
        await service.accounts.addUser('alice@contoso.com', { password: passwords.alice });
        await service.accounts.addUser('bob@contoso.com', { password: passwords.bob });
      });
      const signIn = (who: 'alice' | 'bob'): Promise<RmsClient> => RmsClient.signIn({
        store: path.join(root, who), serviceUrl: service.url, tokenProvider: passwordTokenProvider(`${who}@contoso.com`, passwords[who]),
      });
      const alice = await time('alice signs in', (c) => `token, a key pair made on the device, RAC and CLC for ${c.identity}`, () => signIn('alice'));
      const document = path.join(root, 'results.txt');
      writeFileSync(document, SAMPLE);
      const protectedFile = await time('alice protects', (r) => `${path.basename(r.path)}: ${SAMPLE.length} bytes -> ${r.protectedSize}, bob may VIEW, signed offline with her CLC`,
        () => alice.protectFile(document, alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], autoGrantOwner: true, offlineDays: 7 })));
      const bob = await time('bob signs in', (c) => `RAC for ${c.identity}`, () => signIn('bob'));
      const opened = await time('bob opens', (o) => `use license from the service: rights ${o.license.rights.join(', ')}; ${o.plaintext.length} bytes authenticated and decrypted`,
        () => bob.unprotectBuffer(readFileSync(protectedFile.path)));
      if (!opened.plaintext.equals(SAMPLE)) throw new RmsError('CRYPTO_FAILURE', 'the opened document differs from the original');
      await time('bob checks EDIT', (v) => `accessCheck('EDIT') = ${v}`, () => {
        const edit = opened.license.accessCheck('EDIT');
        if (edit) throw new RmsError('CRYPTO_FAILURE', 'bob was granted EDIT');
        return edit;
      });
      opened.license.close();
      await time('bob exports', (code) => `a plaintext copy is refused: ${code}`, () => refusal(() => bob.unprotectFile(protectedFile.path, { outputDir: root })));
      await time('tamper check', (code) => `one flipped bit in the content: ${code}, no plaintext released`, () => {
        const tampered = readFileSync(protectedFile.path);
        const at = tampered.length - 1 - (randomBytes(2).readUInt16LE(0) % 1024);
        tampered[at] = tampered[at]! ^ 0x01;
        return refusal(() => bob.unprotectBuffer(tampered));
      });
      await service.close();
      serviceStopped = true;
      await time('offline reopen', (o) => `service stopped; ${o.license.fromCache ? 'cached use license' : 'service'} used, valid until ${o.license.licenseValidUntil.toISOString()}`,
        async () => {
          const again = await bob.unprotectBuffer(readFileSync(protectedFile.path));
          again.license.close();
          return again;
        });
      alice.close();
      bob.close();
    } finally {
      if (!serviceStopped) await service.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }

  if (options.json) {
    options.out.write(jsonLine({ ok: true, openssl: native.opensslVersion, documentBytes: SAMPLE.length, steps }));
    return;
  }
  options.out.write(`openrms demo (OpenSSL ${native.opensslVersion}): a licensing service on this machine, alice protecting a document for bob, bob opening it.\n\n`);
  for (const s of steps) options.out.write(`  ${s.step.padEnd(16)} ${s.ms.toFixed(1).padStart(8)} ms  ${s.detail}\n`);
  options.out.write('\nbob read the document with VIEW only; EDIT, a plaintext copy and a tampered copy were refused; he reopened it offline.\nThe service, users and files lived in a temporary folder, now removed. See README.md to run it yourself.\n');
}

export function demoCommand(io: CommandIo): Command {
  return examples(new Command('demo')
    .summary('protect a document for a recipient and open it, on a service started for the purpose')
    .description('Start a licensing service in a temporary folder, protect a document for a recipient and open it, '
      + 'and report what was done; everything is removed at the end.')
    .option('--json', 'print the report as JSON')
    .action((flags: JsonFlag) => runDemo({ json: flags.json === true, out: io.out })), ['openrms demo', 'openrms demo --json']);
}
