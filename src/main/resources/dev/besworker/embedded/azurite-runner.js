// Runs Azurite's blob server (the pinned npm package) in one node process for bes-worker's
// embedded default. Why not Azurite's own entry point (`azurite-blob`): that one starts telemetry,
// and the npm bin shim adds a process. Three more things its entry point does not do:
//  - it exits when the JVM that started it dies, even by kill -9 (an orphan would hold the data
//    folder and the next run's Azurite would fight it);
//  - on SIGTERM it closes the server, which saves the metadata, then exits at once instead of
//    waiting for idle keep-alive connections;
//  - it prints one line when it listens, naming the port (so the server itself picks a free one).
// Loading Azurite is most of its start: its telemetry module (applicationinsights and the
// OpenTelemetry SDK) alone took 1.4 of 1.9 s on a 2-core machine, and its SQL server classes
// load Sequelize. The runner never initializes telemetry (AzuriteTelemetryClient.init is called
// only by Azurite's entry points), so it hands Azurite an empty applicationinsights module, and it
// builds the Loki-backed BlobServer as BlobServerFactory does for a run without AZURITE_DB,
// without loading the SQL classes.
'use strict';
const path = require('path');
const Module = require('module');
const azurite = process.env.BES_WORKER_AZURITE_MODULE;
const parent = Number(process.env.BES_WORKER_PARENT_PID);
const blob = (name) => path.join(azurite, 'dist', 'src', 'blob', name);

const insights = require.resolve('applicationinsights', {paths: [path.join(azurite, 'dist', 'src', 'common')]});
const empty = new Module(insights);
empty.filename = insights;
empty.loaded = true;
empty.exports = {};
require.cache[insights] = empty;
require(path.join(azurite, 'dist', 'src', 'common', 'Telemetry')).AzuriteTelemetryClient.enableTelemetry = false;

let server = null;
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(0), 3000).unref();
  Promise.resolve(server && server.close()).catch(e => console.error(String(e))).finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(() => { try { process.kill(parent, 0); } catch (e) { stop(); } }, 500).unref();

async function create() {
  const BlobEnvironment = require(blob('BlobEnvironment')).default;
  const BlobConfiguration = require(blob('BlobConfiguration')).default;
  const BlobServer = require(blob('BlobServer')).default;
  const constants = require(blob('utils/constants'));
  const env = new BlobEnvironment();
  const location = await env.location();
  constants.DEFAULT_BLOB_PERSISTENCE_ARRAY[0].locationPath = path.join(location, constants.DEFAULT_BLOB_PERSISTENCE_PATH);
  const config = new BlobConfiguration(env.blobHost(), env.blobPort(), env.blobKeepAliveTimeout(),
      path.join(location, constants.DEFAULT_BLOB_LOKI_DB_PATH), path.join(location, constants.DEFAULT_BLOB_EXTENT_LOKI_DB_PATH),
      constants.DEFAULT_BLOB_PERSISTENCE_ARRAY, !env.silent(), undefined, false, undefined, env.loose(),
      env.skipApiVersionCheck(), env.cert(), env.key(), env.pwd(), env.oauth(), env.disableProductStyleUrl(),
      env.inMemoryPersistence());
  return new BlobServer(config);
}

create().then(async s => {
  server = s;
  await s.start();
  console.log('azurite-listening ' + new URL(s.getHttpServerAddress()).port);
}).catch(e => { console.error('Azurite did not start: ' + e.message); process.exit(1); });
