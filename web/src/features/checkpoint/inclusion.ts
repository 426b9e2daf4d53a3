/**
 * RFC 9162 Merkle inclusion, checked in the browser: the leaf hash of an
 * entry's stored text and the root an audit path leads to. SHA-256 is given
 * (WebCrypto's SubtleCrypto in the console, node:crypto's in the tests), so
 * this module does no I/O and holds no key.
 */

export type Sha256 = (bytes: Uint8Array) => Promise<Uint8Array>;

/** SubtleCrypto's SHA-256, present in every browser on a secure context or localhost, and in Node */
export const subtleSha256: Sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));

function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** RFC 9162 §2.1.1: a leaf is SHA-256(0x00 || entry); the entry is the stored canonical text's UTF-8 bytes */
export function leafHash(text: string, sha256: Sha256 = subtleSha256): Promise<Uint8Array> {
  return sha256(concat(Uint8Array.of(0), new TextEncoder().encode(text)));
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * RFC 9162 §2.1.3.2 "Verifying an Inclusion Proof": the root that `proof`
 * leads to from `leaf` at `index` in a tree of `size` leaves, or the reason
 * it leads nowhere. The caller compares it with the signed checkpoint's root.
 */
export async function rootFromInclusionProof(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  sha256: Sha256 = subtleSha256,
): Promise<Uint8Array | string> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return `index ${index} is not in a tree of ${size}`;
  if (leaf.length !== 32 || proof.some((p) => p.length !== 32)) return 'a hash is not 32 bytes';
  // step 2: fn = leaf_index, sn = tree_size - 1, r = hash; bit operations on numbers beyond 2^31 need Math, not >>
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  const half = (n: number) => Math.floor(n / 2);
  for (const p of proof) {
    // step 3a: a proof longer than the path
    if (sn === 0) return 'the proof is longer than the path to the root';
    if (fn % 2 === 1 || fn === sn) {
      // 3b.i: p is a left sibling
      r = await sha256(concat(Uint8Array.of(1), p, r));
      // 3b.ii: skip the levels where this node has no right sibling
      if (fn % 2 === 0)
        while (fn % 2 === 0 && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
    } else {
      r = await sha256(concat(Uint8Array.of(1), r, p));
    }
    fn = half(fn);
    sn = half(sn);
  }
  // step 4: the path must end at the root
  if (sn !== 0) return 'the proof is shorter than the path to the root';
  return r;
}

/** true when `proof` shows `leaf` at `index` in the tree of `size` leaves whose root is `root` */
export async function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
  sha256: Sha256 = subtleSha256,
): Promise<boolean> {
  const r = await rootFromInclusionProof(leaf, index, size, proof, sha256);
  return typeof r !== 'string' && sameBytes(r, root);
}
