// the engine.io reference run: test/support/engine.ts builds official engine.io servers
process.env.ENGINE_REFERENCE = "1";
