import { describe, expect, it } from "vitest";
import { LocalVectorize } from "./vectorize-local";
import { VECTORIZE_METADATA_INDEXES, VectorizeSemanticIndex } from "./semantic";
import { METADATA_INDEXES, vectorizeCommands, vectorizeIndexNames } from "../../scripts/lib/vectorize.mjs";

const unit = (...xs: number[]) => {
  const n = Math.sqrt(xs.reduce((s, x) => s + x * x, 0));
  return xs.map((x) => x / n);
};

describe("LocalVectorize enforces Vectorize's filter rules", () => {
  it("a filter on a property without a metadata index matches nothing, and an index covers only later upserts", async () => {
    const v = new LocalVectorize({ dimensions: 2 });
    await v.upsert([{ id: "a", values: [1, 0], metadata: { partition: "p" } }]);
    expect((await v.query([1, 0], { topK: 1 })).matches.map((m) => m.id)).toEqual(["a"]);
    expect((await v.query([1, 0], { topK: 1, filter: { partition: "p" } })).matches).toEqual([]);
    v.createMetadataIndex("partition", "string");
    expect((await v.query([1, 0], { filter: { partition: "p" } })).matches).toEqual([]);
    await v.upsert([{ id: "a", values: [1, 0], metadata: { partition: "p" } }]);
    expect((await v.query([1, 0], { filter: { partition: "p" } })).matches.map((m) => m.id)).toEqual(["a"]);
  });

  it("supports $eq $ne $in $nin and range pairs, rejects other combinations and bad keys", async () => {
    const v = new LocalVectorize({ dimensions: 2, metadataIndexes: [{ propertyName: "p", type: "string" }, { propertyName: "n", type: "number" }] });
    await v.upsert([
      { id: "a", values: unit(1, 0), metadata: { p: "x", n: 1 } },
      { id: "b", values: unit(1, 1), metadata: { p: "y", n: 5 } },
      { id: "c", values: unit(0, 1), metadata: { p: "z", n: "5" as unknown as number } },
    ]);
    const ids = async (filter: VectorizeVectorMetadataFilter) => (await v.query(unit(1, 0), { topK: 10, filter })).matches.map((m) => m.id);
    expect(await ids({ p: { $eq: "x" } })).toEqual(["a"]);
    expect(await ids({ p: { $ne: "x" } })).toEqual(["b", "c"]);
    expect(await ids({ p: { $in: ["x", "z"] } })).toEqual(["a", "c"]);
    expect(await ids({ p: { $nin: ["x"] } })).toEqual(["b", "c"]);
    // "c" stored n as a string: not indexed under a number index, so invisible to any clause on n.
    expect(await ids({ n: { $gt: 0 } })).toEqual(["a", "b"]);
    expect(await ids({ n: { $gt: 1, $lte: 5 } })).toEqual(["b"]);
    expect(await ids({ p: "y", n: { $gte: 5 } })).toEqual(["b"]);
    await expect(ids({ n: { $eq: 1, $gt: 0 } })).rejects.toThrow(/cannot be combined/);
    await expect(ids({ n: { $gt: 0, $gte: 1 } })).rejects.toThrow(/cannot be combined/);
    await expect(ids({ n: { $regex: "x" } } as unknown as VectorizeVectorMetadataFilter)).rejects.toThrow(/unsupported operator/);
    await expect(ids({ $p: "x" })).rejects.toThrow(/invalid filter key/);
    await expect(ids({})).rejects.toThrow(/non-empty/);
  });

  it("compares indexed strings on their first 64 bytes, checks dimensions, ids and topK, and deletes", async () => {
    const v = new LocalVectorize({ dimensions: 2, metadataIndexes: [{ propertyName: "p", type: "string" }] });
    const long = "x".repeat(64);
    await v.upsert([{ id: "a", values: [1, 0], metadata: { p: `${long}-one` } }]);
    expect((await v.query([1, 0], { filter: { p: `${long}-two` } })).matches.map((m) => m.id)).toEqual(["a"]);
    await expect(v.upsert([{ id: "b", values: [1, 0, 0] }])).rejects.toThrow(/dimensions/);
    await expect(v.upsert([{ id: "i".repeat(65), values: [1, 0] }])).rejects.toThrow(/64 bytes/);
    await expect(v.query([1, 0], { topK: 21, returnMetadata: "all" })).rejects.toThrow(/topK/);
    await expect(v.query([1, 0, 0])).rejects.toThrow(/dimensions/);
    const m = (await v.query([0.6, 0.8], { returnMetadata: "indexed" })).matches[0];
    expect(m.score).toBeCloseTo(0.6, 6);
    expect(m.metadata).toEqual({ p: long });
    await v.deleteByIds(["a"]);
    expect(v.size).toBe(0);
  });
});

describe("VectorizeSemanticIndex on the stand-in", () => {
  const fresh = () => new LocalVectorize({ dimensions: 2, metadataIndexes: VECTORIZE_METADATA_INDEXES });
  const P = "a".repeat(64);
  const Q = "b".repeat(64);

  it("finds the best entry of its own partition above the threshold, never another partition's or an expired one", async () => {
    const idx = new VectorizeSemanticIndex(fresh());
    await idx.upsert(P, "k-p", unit(1, 0.1), 2000);
    await idx.upsert(Q, "k-q", unit(1, 0), 2000);
    expect(await idx.query(P, unit(1, 0), 0.9, 1000)).toMatchObject({ key: "k-p" });
    expect(await idx.query(P, unit(0, 1), 0.9, 1000)).toBeUndefined();
    expect(await idx.query(P, unit(1, 0), 0.9, 2000)).toBeUndefined();
    expect(await idx.query("c".repeat(64), unit(1, 0), 0.1, 1000)).toBeUndefined();
    await idx.remove("k-p");
    expect(await idx.query(P, unit(1, 0), 0.5, 1000)).toBeUndefined();
  });

  it("without the metadata indexes (what the deploy script creates) it never hits", async () => {
    const idx = new VectorizeSemanticIndex(new LocalVectorize({ dimensions: 2 }));
    await idx.upsert(P, "k", unit(1, 0), 2000);
    expect(await idx.query(P, unit(1, 0), 0.5, 1000)).toBeUndefined();
  });
});

describe("the deploy script's Vectorize commands (scripts/lib/vectorize.mjs)", () => {
  it("create every metadata index the semantic index filters on, for the index wrangler.toml binds", () => {
    expect(METADATA_INDEXES).toEqual(VECTORIZE_METADATA_INDEXES);
    const toml = `[env.us]\nname = "x"\nvectorize = [{ binding = "SEMANTIC_CACHE", index_name = "cache-us" }]\n[env.eu]\nname = "y"\n`;
    expect(vectorizeIndexNames(toml)).toEqual({ us: "cache-us" });
    const commands = vectorizeCommands("cache-us", 768).map((c) => c.join(" "));
    expect(commands[0]).toBe("wrangler vectorize create cache-us --dimensions=768 --metric=cosine");
    for (const m of VECTORIZE_METADATA_INDEXES) {
      expect(commands).toContain(`wrangler vectorize create-metadata-index cache-us --propertyName=${m.propertyName} --type=${m.type}`);
    }
  });
});
