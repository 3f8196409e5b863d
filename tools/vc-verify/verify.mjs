// Verifies a credential the platform issued with Digital Bazaar's VC
// libraries, as someone else would: the proof (eddsa-rdfc-2022), that the
// issuer's key signed it, and its Bitstring Status List entry. Offline: the
// document loader serves only what the input file gives it.
//
//   node verify.mjs input.json
//
// input.json: {credential, didDocument, contexts: {url: context},
// statusLists: {url: status list credential}}. Prints one line of JSON:
// {verified, errors, revoked}.
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const {credential, didDocument, contexts = {}, statusLists = {}} = input;

async function documentLoader(url) {
  if(contexts[url]) {
    return {contextUrl: null, documentUrl: url, document: contexts[url]};
  }
  if(statusLists[url]) {
    return {contextUrl: null, documentUrl: url, document: statusLists[url]};
  }
  const [did] = url.split('#');
  if(didDocument && did === didDocument.id) {
    if(url === did) {
      return {contextUrl: null, documentUrl: url, document: didDocument};
    }
    const method = didDocument.verificationMethod.find(m => m.id === url);
    if(method) {
      return {
        contextUrl: null, documentUrl: url,
        document: {'@context': 'https://w3id.org/security/multikey/v1', ...method}
      };
    }
  }
  throw new Error(`offline: no document for ${url}`);
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
let revoked = null;
async function status(options) {
  const result = await checkStatus({...options, suite, documentLoader});
  if(result.verified) {
    revoked = result.results.some(r => r.status === true);
  }
  return result;
}

const errors = [];
let verified = false;
try {
  const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus: status});
  verified = result.verified === true;
  const collect = e => {
    if(!e) {
      return;
    }
    if(Array.isArray(e.errors)) {
      e.errors.forEach(collect);
    }
    errors.push(String(e.message || e));
  };
  collect(result.error);
  for(const r of result.results || []) {
    collect(r.error);
  }
  if(result.statusResult && !result.statusResult.verified) {
    collect(result.statusResult.error);
  }
} catch(e) {
  errors.push(String(e.message || e));
}
console.log(JSON.stringify({verified, errors, revoked}));
