import { parseQuery } from "../../../core/engine/request";

/** The reference: what engine.io computes (`Object.fromEntries(new URL(...).searchParams)`). */
function reference(url: string): Record<string, string> {
  return Object.fromEntries(new URL(url, "https://socket.io").searchParams);
}

describe("parseQuery (fast path for queries without escapes)", () => {
  it.each([
    "/engine.io/?EIO=4&transport=polling",
    "/engine.io/?EIO=4&transport=websocket&sid=abc_DEF-123",
    "/x?a=1&a=2",
    "/x?a&b=&=c&&d=e=f",
    "/x?",
    "/x",
    "/x?a=1#frag&b=2",
    "/x?name=%C3%A9t%C3%A9&plus=a+b",
    "/x?bad=%E0%A4%A&ok=1",
    "/x?__proto__=1&constructor=2",
    "/x?t=1&EIO=3&j=0&b64=1",
  ])("matches URLSearchParams for %s", (url) => {
    const got = parseQuery(url);
    expect(got).toEqual(reference(url));
    expect(Object.keys(got)).toEqual(Object.keys(reference(url)));
  });
});
