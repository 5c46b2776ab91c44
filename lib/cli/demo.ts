/**
 * `openrms demo`: the main job on the embedded default, until the licensing service lands.
 * It does for real what protection will do: a content key is made, a document is sealed
 * under it in authenticated records, the key is wrapped to a recipient's RSA key, the
 * package is signed by the publisher; then the recipient verifies the signature, unwraps
 * the key and opens the document, and a tampered copy is refused.
 */
import { Writable } from 'node:stream';

import { AsymmetricKey } from '../crypto/asymmetric-key';
import * as aesGcm from '../crypto/aes-gcm';
import { randomBytes } from '../crypto/random';
import * as rsaOaep from '../crypto/rsa-oaep';
import { SecretKey } from '../crypto/secret-key';
import { sign, verify } from '../crypto/signature';
import { RmsError } from '../errors';
import { native } from '../native';

const SAMPLE = Buffer.from(
  'Quarterly results (draft)\n\nRevenue grew 12% on the quarter. Do not forward outside the finance team.\n'.repeat(64),
  'utf8',
);
const RECORD_SIZE = 1024;

export interface DemoOptions {
  json: boolean;
  out: Writable;
}

interface Step {
  step: string;
  ms: number;
  detail: string;
}

export async function runDemo(options: DemoOptions): Promise<void> {
  const steps: Step[] = [];
  const time = async <T>(step: string, detail: (value: T) => string, fn: () => T | Promise<T>): Promise<T> => {
    const start = process.hrtime.bigint();
    const value = await fn();
    steps.push({ step, ms: Number(process.hrtime.bigint() - start) / 1e6, detail: detail(value) });
    return value;
  };

  const publisher = await time('publisher key', (k) => `EC P-256 (ES256), key ID ${k.thumbprint()}`,
    () => AsymmetricKey.generateAsync({ type: 'ec' }));
  const recipient = await time('recipient key', (k) => `RSA-${k.bits} (RSA-OAEP-256), key ID ${k.thumbprint()}`,
    () => AsymmetricKey.generateAsync({ type: 'rsa', modulusLength: 2048 }));
  const contentKey = await time('content key', (k) => `AES-${k.length * 8}, random, held in native memory`, () => SecretKey.generate(32));

  const records: Buffer[] = [];
  for (let i = 0; i < SAMPLE.length; i += RECORD_SIZE) records.push(SAMPLE.subarray(i, i + RECORD_SIZE));
  const sealed = await time('protect', (b) => `${SAMPLE.length} bytes in ${records.length} AES-256-GCM records -> ${b.output.length} bytes`,
    () => aesGcm.encryptBatch(contentKey, records));
  const wrappedKey = await time('wrap content key', (w) => `${w.length}-byte RSA-OAEP-256 blob for the recipient`,
    () => rsaOaep.wrapKey(recipient.publicKey(), contentKey));
  contentKey.close();
  const manifest = Buffer.concat([wrappedKey, sealed.ivs, Buffer.from(sealed.offsets.buffer)]);
  const signature = await time('sign', (s) => `ES256 over the wrapped key and record layout (${s.length}-byte signature)`,
    () => sign('ES256', publisher, manifest));

  const opened = await time('open', (p) => `signature verified, key unwrapped, ${p.length} bytes authenticated and decrypted`, () => {
    if (!verify('ES256', publisher.publicKey(), manifest, signature)) throw new RmsError('DECRYPTION_FAILED', 'signature does not verify');
    const key = rsaOaep.unwrapKey(recipient, wrappedKey);
    try {
      const result = aesGcm.decryptBatch(key, { data: sealed.output, offsets: sealed.offsets }, { ivs: sealed.ivs });
      if (!result.authentic.every(Boolean)) throw new RmsError('DECRYPTION_FAILED', 'a record failed authentication');
      return Buffer.from(result.output);
    } finally {
      key.close();
    }
  });
  if (!opened.equals(SAMPLE)) throw new RmsError('CRYPTO_FAILURE', 'the opened document differs from the original');

  const tampered = Buffer.from(sealed.output);
  const flipAt = randomBytes(4).readUInt32LE(0) % tampered.length;
  tampered[flipAt] = tampered[flipAt]! ^ 0x01;
  const refused = await time('tamper check', (n) => `one flipped bit: ${n} record(s) refused, no plaintext released for them`, () => {
    const key = rsaOaep.unwrapKey(recipient, wrappedKey);
    try {
      return aesGcm.decryptBatch(key, { data: tampered, offsets: sealed.offsets }, { ivs: sealed.ivs }).authentic.filter((a) => !a).length;
    } finally {
      key.close();
    }
  });
  if (refused !== 1) throw new RmsError('CRYPTO_FAILURE', `expected exactly one refused record, got ${refused}`);
  publisher.close();
  recipient.close();

  if (options.json) {
    options.out.write(`${JSON.stringify({ ok: true, openssl: native.opensslVersion, documentBytes: SAMPLE.length, steps })}\n`);
    return;
  }
  options.out.write(`openrms demo (OpenSSL ${native.opensslVersion}): protected a ${SAMPLE.length}-byte document for a recipient and opened it again.\n\n`);
  for (const s of steps) options.out.write(`  ${s.step.padEnd(18)} ${s.ms.toFixed(2).padStart(9)} ms  ${s.detail}\n`);
  options.out.write('\nThe round trip matched the original byte for byte; the tampered copy was refused.\n');
}
