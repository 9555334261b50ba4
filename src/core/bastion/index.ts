/**
 * The Azure Bastion native-client data plane (azure-protocols.md §1.4–§1.6), written by hand: there
 * is no SDK for it. One independent session per connection: token → WebSocket → relay → delete.
 */
export { type BastionSession, type BastionSku, bastionWebSocketUrl, normalizeBastionEndpoint } from "./bastionSession";
export { type DeleteOutcome, type DeleteSessionOptions, deleteSession, requestSession, type SessionRequest } from "./tokenApi";
export { connectWebSocket, type OpenWebSocket, type WebSocketConnectOptions } from "./webSocketConnect";
export { Relay, type RelayEnd, type RelayOptions, type RelayResult, startRelay } from "./relay";
export { runTunnelConnection, type TunnelConnectionOptions, type TunnelConnectionResult } from "./tunnelConnection";
export { FORWARDER_BIND_ADDRESS, type LocalForwarder, type LocalForwarderOptions, startLocalForwarder } from "./localForwarder";
