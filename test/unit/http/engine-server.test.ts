import { computePath } from "../../../core/http/engine-server";

describe("computePath (engine.io's _computePath)", () => {
  it.each<[Parameters<typeof computePath>[0], string]>([
    [{}, "/engine.io/"],
    [{ path: "/custom" }, "/custom/"],
    [{ path: "/custom/" }, "/custom/"],
    [{ addTrailingSlash: false }, "/engine.io"],
    [{ path: "/custom/", addTrailingSlash: false }, "/custom"],
    [{ path: "" }, "/engine.io/"],
  ])("computes %j -> %j", (options, path) => {
    expect(computePath(options)).toBe(path);
  });
});
