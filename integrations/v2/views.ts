/**
 * Live object views of the v4 core's Maps and Sets, in the shapes socket.io 2.x exposed:
 * `socket.rooms` ({ room: room }), `namespace.connected` ({ id: socket }), `server.nsps`
 * ({ name: namespace }). Nothing is copied: each read goes to the core's current collection, so
 * `io.sockets.connected[id]` costs one Map lookup however many sockets there are.
 */
import { inspect } from "node:util";

/** A read-only, live object view; `Object.keys`, `in`, `for...in`, `hasOwnProperty` work. */
function objectView<V>(
  keys: () => Iterable<string>,
  get: (key: string) => V | undefined,
  iterate?: () => Iterator<string>,
): Record<string, V> {
  const target: Record<string | symbol, unknown> = {};
  // console.log() shows a proxy's target, not what its traps answer: give it a snapshot
  Object.defineProperty(target, inspect.custom, {
    configurable: true,
    value: (_depth: number, options: object) => {
      const snapshot: Record<string, V | undefined> = {};
      for (const key of keys()) snapshot[key] = get(key);
      return inspect(snapshot, options);
    },
  });
  return new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key === "string") {
        const value = get(key);
        if (value !== undefined) return value;
      } else if (key === Symbol.iterator && iterate !== undefined) {
        return iterate;
      }
      return Reflect.get(t, key, receiver);
    },
    has(t, key) {
      return (typeof key === "string" && get(key) !== undefined) || Reflect.has(t, key);
    },
    ownKeys() {
      return [...keys()];
    },
    getOwnPropertyDescriptor(_t, key) {
      if (typeof key !== "string") return undefined;
      const value = get(key);
      if (value === undefined) return undefined;
      return { value, enumerable: true, configurable: true, writable: false };
    },
    // the view reflects the core's state: writes through it would mean nothing, so they fail
    set: () => false,
    deleteProperty: () => false,
    defineProperty: () => false,
  }) as Record<string, V>;
}

/**
 * socket.io 2.x's `socket.rooms`: `{ [room]: room }`, live. It is also iterable over the room
 * names, so code (and cluster adapters) written for the v4 `Set` can spread it.
 */
export function roomsView(rooms: () => ReadonlySet<string> | undefined): Record<string, string> {
  return objectView(
    () => rooms() ?? [],
    (key) => (rooms()?.has(key) ? key : undefined),
    function iterate(): Iterator<string> {
      return (rooms() ?? new Set<string>()).values();
    },
  );
}

/** A live `{ [key]: value }` view of a Map. */
export function mapView<V>(map: ReadonlyMap<string, V>): Record<string, V> {
  return objectView(
    () => map.keys(),
    (key) => map.get(key),
  );
}
