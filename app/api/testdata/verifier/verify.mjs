// Verifies credentials with the Digital Credentials Consortium's verifier
// (@digitalcredentials/verifier-core), as the Learner Credential Wallet and
// VerifierPlus do, but offline: every fetch it makes is answered from the
// bank under test or from the contexts the repository vendors, and any other
// URL fails the run.
//
// usage: BANK_ORIGIN=http://creditbank.test BANK_URL=http://127.0.0.1:PORT \
//        CONTEXTS=path/to/auth/vc/contexts node verify.mjs credential.json...
// prints one JSON object per credential: {file, verified, revoked, errors, log}
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const bankOrigin = new URL(process.env.BANK_ORIGIN);
const bankURL = new URL(process.env.BANK_URL);
const contexts = process.env.CONTEXTS;

// Contexts the DCC loader does not bundle, from the bank's vendored copies.
const localContexts = {
  'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json': 'clr-v2p0-context-2.0.1.json',
};

// The verifier logs to stdout; results alone go there.
console.log = (...args) => console.error(...args);

const realFetch = globalThis.fetch;
const fetched = [];
globalThis.fetch = async (input, init) => {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  fetched.push(url.href);
  const local = localContexts[url.href];
  if (local) {
    const body = await readFile(path.join(contexts, local));
    return new Response(body, { status: 200, headers: { 'Content-Type': 'application/ld+json' } });
  }
  // did:web resolves over https to the bank's host; the status list URL is
  // the bank's public base URL. Both go to the server under test.
  if (url.host === bankOrigin.host) {
    const target = new URL(url.pathname + url.search, bankURL);
    return realFetch(target, { ...init, dispatcher: undefined });
  }
  throw new TypeError(`offline: refusing to fetch ${url.href}`);
};

const { verifyCredential } = await import('@digitalcredentials/verifier-core');

for (const file of process.argv.slice(2)) {
  const credential = JSON.parse(await readFile(file, 'utf8'));
  const result = await verifyCredential({ credential, knownDIDRegistries: [] });
  const log = (result.log ?? []).map(({ id, valid, error }) => ({ id, valid, error: error?.message ?? error?.name }));
  const status = log.filter((entry) => entry.id === 'revocation_status');
  const errors = (result.errors ?? []).map((e) => `${e.name}: ${e.message}`);
  const signature = log.find((entry) => entry.id === 'valid_signature');
  process.stdout.write(JSON.stringify({
    file: path.basename(file),
    // The issuer is in none of the DCC's trust registries (registered_issuer
    // is false for any bank not enrolled there); that is not a failure of
    // the credential, so it is reported but not counted.
    verified: errors.length === 0 && signature?.valid === true &&
      log.every((entry) => entry.valid !== false || entry.id === 'registered_issuer' || entry.id === 'revocation_status'),
    revoked: status.length === 0 ? null : status.some((entry) => entry.valid === false),
    errors,
    log,
  }) + '\n');
}
process.stderr.write(`fetched: ${JSON.stringify([...new Set(fetched)])}\n`);
