/**
 * Whom a per-client limit counts: an IPv4 address, or an IPv6 address's /64 network (one host
 * is usually given a whole /64, and could otherwise take a fresh address per request).
 */
export function clientNetwork(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  if (!address.includes(':') || address.startsWith('::ffff:')) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}
