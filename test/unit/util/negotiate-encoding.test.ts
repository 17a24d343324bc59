import { negotiateEncoding } from "../../../core/util/negotiate-encoding";

describe("negotiateEncoding", () => {
  describe("engine.io's polling offers (gzip, deflate)", () => {
    const offered = ["gzip", "deflate"] as const;
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
      expect(negotiateEncoding(header, offered)).toBe(expected);
    });
  });

  describe("socket.io's client bundle offers (br, gzip, deflate)", () => {
    const offered = ["br", "gzip", "deflate"] as const;
    it.each<[string | undefined, string | undefined]>([
      [undefined, undefined],
      ["", undefined],
      ["identity", undefined],
      ["gzip", "gzip"],
      ["deflate", "deflate"],
      ["br", "br"],
      ["gzip, deflate, br", "gzip"],
      ["br, gzip, deflate", "br"],
      ["deflate, gzip;q=1.0, *;q=0.5", "deflate"],
      ["gzip;q=0.5, br;q=0.8", "br"],
      ["*", "br"],
      ["*;q=0.5, gzip;q=0.5", "gzip"],
      ["*, br;q=0", "gzip"],
      ["gzip;q=0, deflate;q=0, br;q=0", undefined],
      ["GZIP", "gzip"],
      ["compress, zstd", undefined],
      ["gzip;level=9;q=0.2, deflate;q=0.1", "gzip"],
    ])("Accept-Encoding %j -> %j", (header, expected) => {
      expect(negotiateEncoding(header, offered)).toBe(expected);
    });
  });
});
