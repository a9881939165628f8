import { isIPv4, isIPv6 } from 'node:net';

interface IpAddress {
  bits: 32 | 128;
  value: bigint;
}

function ipv4Value(text: string): bigint {
  return text.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6Value(text: string): bigint {
  // An IPv4 tail (`::ffff:10.0.0.1`) stands for the last two groups.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let hex = text;
  if (tail) {
    const v4 = ipv4Value(tail[1]);
    hex = `${text.slice(0, tail.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, rest] = hex.split('::');
  const groupsOf = (part: string | undefined) => (part ? part.split(':') : []);
  const missing = 8 - groupsOf(head).length - groupsOf(rest).length;
  const groups = rest === undefined ? groupsOf(head) : [...groupsOf(head), ...Array<string>(missing).fill('0'), ...groupsOf(rest)];
  return groups.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/** The address as a number, or undefined when the text is neither an IPv4 nor an IPv6 address. */
export function parseIp(text: string): IpAddress | undefined {
  if (isIPv4(text)) return { bits: 32, value: ipv4Value(text) };
  if (isIPv6(text)) return { bits: 128, value: ipv6Value(text) };
  return undefined;
}

/** Whether an address lies in a CIDR block such as `10.0.0.0/24` or `2001:db8::/32`; undefined for a malformed block. */
export function cidrMembership(cidr: string): ((address: string) => boolean) | undefined {
  const [network, length, extra] = cidr.split('/');
  const base = parseIp(network ?? '');
  const prefixLength = Number(length);
  if (!base || extra !== undefined || !/^\d{1,3}$/.test(length ?? '') || prefixLength > base.bits) return undefined;
  const shift = BigInt(base.bits - prefixLength);
  return (address) => {
    const ip = parseIp(address);
    return ip !== undefined && ip.bits === base.bits && ip.value >> shift === base.value >> shift;
  };
}
