/** The local broker: the extension's side (server) and the tunnel's side (client); protocol in src/shared. */
export { type BrokerHandler, type BrokerServer, type BrokerServerOptions, startBrokerServer } from "./brokerServer";
export { askBroker, type BrokerClientOptions, getPasswordThroughBroker, openSessionThroughBroker } from "./brokerClient";
export { brokerRuntimeDirs, brokerSocketPath, listBrokerEndpoints } from "./runtimeDir";
