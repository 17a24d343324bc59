import { format } from "node:util";
import debugLib from "debug";
import { createDebug } from "../../../core/util/debug";

describe("createDebug", () => {
  const original = debugLib.log;
  afterEach(() => {
    debugLib.log = original;
    debugLib.disable();
  });

  it("logs nothing while disabled, then logs once enabled at run time", () => {
    const lines: string[] = [];
    debugLib.log = (...args: unknown[]) => lines.push(format(...args));
    const log = createDebug("socketkit-test:one");
    log("hidden %s", "a");
    expect(log.enabled).toBe(false);
    expect(lines).toEqual([]);
    debugLib.enable("socketkit-test:*");
    expect(log.enabled).toBe(true);
    log("shown %s %d", "b", 2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("shown b 2");
    expect(lines[0]).toContain("socketkit-test:one");
  });
});
