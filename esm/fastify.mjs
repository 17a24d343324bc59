// socketkit/fastify for ES modules: the plugin is the default export (an ES module importing the
// CommonJS build would otherwise get its whole exports object as the default).
import cjs from "../dist/integrations/fastify/index.js";

export const { socketkit, fastifyRequestOf, typedIo } = cjs;
export default cjs.socketkit;
