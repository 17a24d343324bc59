/**
 * Content-encoding negotiation from an `Accept-Encoding` header, as the `accepts` package
 * (negotiator 0.6) does it for engine.io's polling responses and socket.io's client bundle.
 */

/** One entry of the header: `gzip;q=0.8` at position `order`. */
interface AcceptedEncoding {
  name: string;
  q: number;
  order: number;
}

/** How well the header accepts one offered encoding (negotiator's "priority"). */
interface Priority {
  /** specificity: 1 for the name itself, 0 for `*` */
  s: number;
  q: number;
  /** position in the header of the entry that applies */
  o: number;
}

/**
 * Picks the encoding to answer with among `offered` (in the server's order of preference), or
 * undefined when the header is missing or accepts none of them. For each offer, the header
 * entry that applies is the most specific (its name over `*`), then the highest quality, then
 * the last; among offers, the highest quality wins, then the more specific entry, then the
 * entry listed first in the header, then the earlier offer. Quality 0 refuses an encoding;
 * names are case-insensitive and malformed entries are skipped.
 */
export function negotiateEncoding<E extends string>(
  header: string | undefined,
  offered: readonly E[],
): E | undefined {
  if (!header) return undefined;
  const accepted = parseAcceptEncoding(header);
  let best: E | undefined;
  let bestPriority: Priority | undefined;
  for (const offer of offered) {
    let priority: Priority = { s: 0, q: 0, o: -1 };
    for (const entry of accepted) {
      const s = entry.name === offer ? 1 : entry.name === "*" ? 0 : -1;
      if (s === -1) continue;
      if ((priority.s - s || priority.q - entry.q || priority.o - entry.order) < 0) {
        priority = { s, q: entry.q, o: entry.order };
      }
    }
    if (!(priority.q > 0)) continue;
    // offers are visited in order, so an equal priority keeps the earlier offer
    if (
      bestPriority === undefined ||
      (bestPriority.q - priority.q || bestPriority.s - priority.s || priority.o - bestPriority.o) <
        0
    ) {
      best = offer;
      bestPriority = priority;
    }
  }
  return best;
}

/** `gzip;q=0.8, br` -> entries with lower-cased names; malformed entries are skipped. */
function parseAcceptEncoding(header: string): AcceptedEncoding[] {
  const entries: AcceptedEncoding[] = [];
  const parts = header.split(",");
  for (let order = 0; order < parts.length; order++) {
    const params = parts[order].split(";");
    const name = params[0].trim();
    if (name === "" || name.includes(" ") || name.includes("\t")) continue;
    let q = 1;
    for (let i = 1; i < params.length; i++) {
      const [key, value] = params[i].trim().split("=");
      if (key === "q") {
        q = parseFloat(value);
        break;
      }
    }
    entries.push({ name: name.toLowerCase(), q, order });
  }
  return entries;
}
