// the uWS run of jest.uws.config.js: the harnesses put their servers on a uWS app
process.env.SOCKETKIT_HOST = "uws";
