import { stripHopByHopHeaders } from '@leeway/wire';

type Incoming = Readonly<Record<string, string | string[] | undefined>>;

/** Request headers Leeway reads itself and never forwards. */
const LEEWAY_REQUEST_HEADER = /^x-leeway-/;

/**
 * Headers for the upstream request: the client's, minus hop-by-hop ones, `host` (the upstream's own),
 * `expect`, Leeway's own `x-leeway-*`, and `content-length` when Leeway sends a buffered body (the client
 * sees its credential and every other header relayed untouched).
 */
export function upstreamRequestHeaders(
  incoming: Incoming,
  options: { bufferedBody: boolean; set?: Readonly<Record<string, string>> },
): Record<string, string | string[]> {
  const drop = ['host', 'expect'];
  if (options.bufferedBody) drop.push('content-length');
  const headers = stripHopByHopHeaders(incoming, drop);
  for (const name of Object.keys(headers)) {
    if (LEEWAY_REQUEST_HEADER.test(name)) delete headers[name];
  }
  if (options.set) Object.assign(headers, options.set);
  return headers;
}

/** Headers for the client: the upstream's, minus hop-by-hop ones, plus Leeway's. */
export function clientResponseHeaders(
  upstream: Incoming,
  leeway: Readonly<Record<string, string>>,
  options: { dropContentLength: boolean },
): Record<string, string | string[]> {
  const headers = stripHopByHopHeaders(upstream, options.dropContentLength ? ['content-length'] : []);
  Object.assign(headers, leeway);
  return headers;
}

/** First value of a header. */
export function headerValue(headers: Incoming, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
