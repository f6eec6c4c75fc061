/**
 * IPv4 CIDR arithmetic for carving subnets at synth time. Internal to the construct library
 * (not re-exported): the constructs validate and carve with it, callers see only the results.
 */

/** A parsed IPv4 block: its first address as an unsigned 32-bit integer, and its prefix length. */
export interface Ipv4Block {
  readonly address: number;
  readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Why `value` is not a usable IPv4 CIDR block, or `undefined` when it is. The text completes a
 * sentence that starts with the prop's name: "`cidrBlock` must be an IPv4 CIDR block ...".
 */
export function cidrProblem(value: string): string | undefined {
  const m = CIDR_PATTERN.exec(value);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefix = m ? Number(m[5]) : NaN;
  if (!m || octets.some((o) => o > 255) || prefix > 32) {
    return `must be an IPv4 CIDR block like 10.0.0.0/16, got "${value}"`;
  }
  const address = toAddress(octets);
  if (address % 2 ** (32 - prefix) !== 0) {
    return `must be the first address of its /${prefix} block (host bits are set), got "${value}"`;
  }
  return undefined;
}

/** Parses a CIDR block; throws on anything `cidrProblem` rejects. */
export function parseCidr(value: string): Ipv4Block {
  const problem = cidrProblem(value);
  if (problem) throw new RangeError(`CIDR block ${problem}`);
  const m = CIDR_PATTERN.exec(value)!;
  return { address: toAddress(m.slice(1, 5).map(Number)), prefix: Number(m[5]) };
}

/** `10.0.0.0/16` notation. */
export function formatCidr(block: Ipv4Block): string {
  const a = block.address;
  return `${[a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join(".")}/${block.prefix}`;
}

/**
 * The `index`-th block of length `prefix` inside `parent`
 * (Terraform's `cidrsubnet(parent, prefix - parent.prefix, index)`).
 */
export function subBlock(parent: Ipv4Block, prefix: number, index: number): Ipv4Block {
  const count = 2 ** (prefix - parent.prefix);
  if (prefix < parent.prefix || prefix > 32 || index < 0 || index >= count) {
    throw new RangeError(
      `no block #${index} of /${prefix} in ${formatCidr(parent)} (it holds ${count})`,
    );
  }
  return { address: parent.address + index * 2 ** (32 - prefix), prefix };
}

function toAddress(octets: readonly number[]): number {
  return octets.reduce((acc, o) => acc * 256 + o, 0);
}
