export * from "../dist/integrations/fastify/index.js";
export { socketkit as default } from "../dist/integrations/fastify/index.js";
