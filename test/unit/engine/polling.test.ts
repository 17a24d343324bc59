import { negotiateEncoding } from "../../../core/engine/transports/polling";
import { computePath } from "../../../core/http/engine-server";

describe("negotiateEncoding (as engine.io's `accepts`)", () => {
  it.each<[string | undefined, "gzip" | "deflate" | undefined]>([
    [undefined, undefined],
    ["", undefined],
    ["identity", undefined],
    ["br", undefined],
    ["x-gzip", undefined],
    ["gzip", "gzip"],
    ["GZIP", "gzip"],
    ["deflate", "deflate"],
    ["gzip, deflate, br", "gzip"],
    // equal qualities: the client's order wins
    ["deflate, gzip", "deflate"],
    ["deflate;q=0.5, gzip;q=0.5", "deflate"],
    // then the quality
    ["gzip;q=0.5, deflate", "deflate"],
    ["gzip;q=0", undefined],
    ["gzip;q=0, deflate;q=0", undefined],
    ["gzip;q=abc, deflate;q=0.1", "deflate"],
    // "*" stands for any encoding not named explicitly, gzip first on ties
    ["*", "gzip"],
    ["*;q=0", undefined],
    ["*;q=0.5, gzip;q=0", "deflate"],
    ["deflate;q=0.9, *", "gzip"],
    [" gzip ; q=0.3 , deflate;level=1;q=0.2", "gzip"],
  ])("picks %j -> %j", (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });
});

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
